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
        # Annex A: alignment with the reference frameworks.
        "alignment_annex": "Alignment with the reference frameworks",
        "coverage": "Coverage",
        "covered": "{addressed} of {total} items addressed",
        "not_addressed": "not addressed",
        "conflicts": "conflicts",
        "none": "none",
        "item": "Item",
        "sections_col": "Sections (status, decision)",
        "whole_paper": "Whole paper",
        "decisions": "Decisions",
        "quote": "Passage",
        "legend": "Legend",
        "no_decision": "no decision recorded",
        "no_framework": "This paper is not checked against any framework.",
        "status_aligned": "Aligned",
        "status_partial": "Partial",
        "status_gap": "Gap",
        "status_conflict": "Conflict",
        "status_not_applicable": "Not applicable",
        "letter_aligned": "A",
        "letter_partial": "P",
        "letter_gap": "G",
        "letter_conflict": "C",
        "letter_not_applicable": "NA",
        # Annex B: the comment resolution matrix.
        "comment_annex": "Comment resolution matrix",
        "col_number": "No.",
        "col_section": "Section",
        "col_sector": "Sector",
        "col_author": "Author",
        "col_date": "Date",
        "col_type": "Type",
        "col_passage": "Passage",
        "col_comment": "Comment",
        "col_decision": "Decision",
        "col_status": "Status",
        "col_rationale": "Rationale",
        "proposed_change": "Proposed change",
        "type_editorial": "Editorial",
        "type_substantive": "Substantive",
        "type_legal": "Legal",
        "type_alignment": "Alignment",
        "decision_accepted": "Accepted",
        "decision_accepted_modified": "Accepted with changes",
        "decision_rejected": "Rejected",
        "decision_noted": "Noted",
        "decision_open": "Open",
        "colon": ":",  # after a label: "Version SHA-256: …"
        # The cover block of a UN document.
        "organisation": "United Nations Educational, Scientific and Cultural Organization",
        "place": "Paris",
        "original": "Original",
        "language_en": "English",
        "language_fr": "French",
        "acronyms": "Acronyms",
        "disclaimer": "Disclaimer",
        "disclaimer_text": (
            "This document is a working paper of the Secretariat. The designations employed and "
            "the presentation of material throughout it do not imply the expression of any "
            "opinion whatsoever on the part of UNESCO concerning the legal status of any country, "
            "territory, city or area or of its authorities. The ideas and opinions expressed are "
            "those of the authors; they are not necessarily those of UNESCO and do not commit "
            "the Organization."
        ),
    },
    "fr": {
        "version": "Version",
        "frozen": "figée le",
        # "DRAFT" stays in the mark so that every reader, and every check, finds it.
        "draft": "PROJET / DRAFT",
        "draft_notice": "Projet\u202f: cette version n’a pas été approuvée.",
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
        "par la coordination\u202f:",
        "hash": "SHA-256 de la version",
        "annex": "Annexe",
        "contents": "Table des matières",
        "page": "Page",
        "of": "sur",
        "proposed": "Texte proposé\u202f:",
        "redline_author": "Modifications depuis",
        "alignment_annex": "Alignement sur les cadres de référence",
        "coverage": "Couverture",
        "covered": "{addressed} éléments traités sur {total}",
        "not_addressed": "non traités",
        "conflicts": "conflits",
        "none": "aucun",
        "item": "Élément",
        "sections_col": "Sections (statut, décision)",
        "whole_paper": "Document entier",
        "decisions": "Décisions",
        "quote": "Passage",
        "legend": "Légende",
        "no_decision": "aucune décision enregistrée",
        "no_framework": "Ce document n’est confronté à aucun cadre de référence.",
        "status_aligned": "Aligné",
        "status_partial": "Partiel",
        "status_gap": "Lacune",
        "status_conflict": "Conflit",
        "status_not_applicable": "Sans objet",
        "letter_aligned": "A",
        "letter_partial": "P",
        "letter_gap": "L",
        "letter_conflict": "C",
        "letter_not_applicable": "SO",
        "comment_annex": "Matrice de résolution des commentaires",
        "col_number": "No",
        "col_section": "Section",
        "col_sector": "Secteur",
        "col_author": "Auteur",
        "col_date": "Date",
        "col_type": "Type",
        "col_passage": "Passage",
        "col_comment": "Commentaire",
        "col_decision": "Décision",
        "col_status": "Statut",
        "col_rationale": "Justification",
        "proposed_change": "Modification proposée",
        "type_editorial": "Rédactionnel",
        "type_substantive": "De fond",
        "type_legal": "Juridique",
        "type_alignment": "Alignement",
        "decision_accepted": "Accepté",
        "decision_accepted_modified": "Accepté avec modifications",
        "decision_rejected": "Rejeté",
        "decision_noted": "Pris en note",
        "decision_open": "Ouvert",
        # French puts a narrow no-break space before : ; ! ? (Plume's labels; users' text is
        # printed as typed).
        "colon": "\u202f:",
        "organisation": "Organisation des Nations Unies pour l’éducation, la science et la culture",
        "place": "Paris",
        "original": "Original",
        "language_en": "anglais",
        "language_fr": "français",
        "acronyms": "Sigles et acronymes",
        "disclaimer": "Avertissement",
        "disclaimer_text": (
            "Le présent document est un document de travail du Secrétariat. Les appellations "
            "employées et la présentation des données qui y figurent n’impliquent de la part de "
            "l’UNESCO aucune prise de position quant au statut juridique des pays, territoires, "
            "villes ou zones ou de leurs autorités. Les idées et opinions exprimées sont celles "
            "des auteurs\u202f; elles ne reflètent pas nécessairement les vues de l’UNESCO et "
            "n’engagent pas l’Organisation."
        ),
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


_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


def place_and_date(moment: datetime, language: str) -> str:
    """The place and date line of a UN document: "Paris, 15 January 2027" ("Paris, le
    1er janvier 2027" in French), from the version's date."""
    moment = utc(moment)
    words = labels(language)
    if language == "fr":
        day_word = "1er" if moment.day == 1 else str(moment.day)
        return f"{words['place']}, le {day_word} {_MONTHS['fr'][moment.month - 1]} {moment.year}"
    return f"{words['place']}, {moment.day} {_MONTHS['en'][moment.month - 1]} {moment.year}"


def original_line(language: str) -> str:
    """ "Original: English" ("Original : anglais"), in the paper's language."""
    words = labels(language)
    spoken = words.get(f"language_{language}", words["language_en"])
    return f"{words['original']}{words['colon']} {spoken}"


def annex_letter(index: int) -> str:
    """A, B, ..., Z, AA, AB, ... for the annex at `index` (0-based)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
