"""The few words an export prints itself, in the paper's language, and how it writes dates.

Dates are always UTC and never the wall clock: every date in an export comes from the
version (`frozen_at`), a position or a comment, so the same version gives the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "version": "Version",
        "frozen": "frozen on",
        "draft": "DRAFT",
        "draft_notice": "Draft: this version has not been signed off.",
        "signed_notice": "Signed off",
        "signoff": "Sign-off",
        "signatory": "Signatory",
        "sector": "Sector",
        "position": "Position",
        "date": "Date",
        "reason": "Reason",
        "approve": "Approve",
        "no_objection": "No objection",
        "block": "Block",
        "abstain": "Abstain",
        "no_record": "no record",
        "override": "Frozen for signature although points were still open. The coordinator's "
        "reason:",
        "hash": "Version SHA-256",
        "annex": "Annex",
        "contents": "Contents",
        "page": "Page",
        "of": "of",
        "proposed": "Proposed text:",
        "redline_author": "Changes since",
    },
    "fr": {
        "version": "Version",
        "frozen": "figée le",
        # "DRAFT" stays in the mark so that every reader, and every check, finds it.
        "draft": "PROJET / DRAFT",
        "draft_notice": "Projet : cette version n’a pas été approuvée.",
        "signed_notice": "Approuvée",
        "signoff": "Approbation",
        "signatory": "Signataire",
        "sector": "Secteur",
        "position": "Position",
        "date": "Date",
        "reason": "Motif",
        "approve": "Approuve",
        "no_objection": "Pas d’objection",
        "block": "Bloque",
        "abstain": "S’abstient",
        "no_record": "aucune position",
        "override": "Figée pour signature alors que des points restaient ouverts. Motif donné "
        "par la coordination :",
        "hash": "SHA-256 de la version",
        "annex": "Annexe",
        "contents": "Table des matières",
        "page": "Page",
        "of": "sur",
        "proposed": "Texte proposé :",
        "redline_author": "Modifications depuis",
    },
}


def labels(language: str) -> dict[str, str]:
    """The labels for a paper language; English for anything else."""
    return _LABELS.get(language, _LABELS["en"])


def utc(moment: datetime) -> datetime:
    """The moment in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day(moment: datetime) -> str:
    """A date as printed in an export: 2025-03-14."""
    return utc(moment).strftime("%Y-%m-%d")


def stamp(moment: datetime) -> str:
    """A moment as printed in an export: 2025-03-14 09:30 UTC."""
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def iso(moment: datetime) -> str:
    """A moment in the form Word expects in w:date: 2025-03-14T09:30:00Z."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(moment: datetime) -> int:
    """Seconds since 1970 (SOURCE_DATE_EPOCH); zip timestamps cannot go before 1980."""
    return max(int(utc(moment).timestamp()), 315532800)


def annex_letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... for the annex at `index` (0-based)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
