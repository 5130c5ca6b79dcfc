"""The annexes Plume adds to an export: the alignment matrix (A) and the comment matrix (B).

Built from plain value objects that the services fill in (no database here), as Markdown that
Plume writes itself (every value escaped), so the same text goes to Word, PDF and Markdown. Every
word printed is in labels.py, in the paper's language. Both annexes are printed on landscape
pages (pdf.py, docx.py); their tables break across pages under a repeated header row.

Annex A cannot be a sections × items grid: REC2021 alone has 26 items. Items are the rows
("P7 — Fairness…"); the sections that have a decision on an item are its columns when few
enough fit, and are otherwise listed in one cell with their status letter. Each decision is
numbered, the cell refers to its number, and the numbered decisions table after the grids gives
every rationale and quoted passage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.export.document import Annex
from app.export.labels import day, labels
from app.export.markdown import normalize_line
from app.export.pandoc import escape

STATUSES = ("aligned", "partial", "gap", "conflict", "not_applicable")
ADDRESSING = ("aligned", "partial")
# Above this many sections with a decision on a framework, they are listed in a cell rather
# than given a column each (a landscape page holds the item column and about six more).
MAX_SECTION_COLUMNS = 6


@dataclass(frozen=True)
class AnnexItem:
    """A framework item: "REC2021.P7" and its title in the paper's language."""

    code: str
    title: str


@dataclass(frozen=True)
class AnnexFramework:
    code: str
    title: str
    items: tuple[AnnexItem, ...]


@dataclass(frozen=True)
class AlignmentEntry:
    """One current decision: a section (number None: the whole paper) against one item."""

    section_number: str | None
    section_title: str
    item_code: str
    status: str  # one of STATUSES
    rationale: str
    quote: str | None = None


@dataclass(frozen=True)
class CommentEntry:
    """One comment as the comment resolution matrix prints it."""

    number: int
    section_number: str
    section_title: str
    sector: str
    author: str
    created_at: datetime
    passage: str
    type: str  # a CommentType value
    comment: str
    proposed_change: str
    decision: str  # a Decision value, "" while open
    rationale: str


def short_code(framework_code: str, item_code: str) -> str:
    """ "P7" for "REC2021.P7" (the framework is named above the table)."""
    prefix = framework_code + "."
    return item_code[len(prefix) :] if item_code.startswith(prefix) else item_code


def _text(value: str) -> str:
    return escape(normalize_line(value))


def _colon(words: dict[str, str]) -> str:
    """The colon in Markdown, after its no-break space in French (escape() would drop it)."""
    return words["colon"].replace(":", "\\:")


def _labelled(words: dict[str, str], label: str, value: str) -> str:
    return f"{escape(label)}{_colon(words)} {value}"


def alignment_annex(
    frameworks: Iterable[AnnexFramework], entries: Iterable[AlignmentEntry], language: str
) -> Annex:
    """Annex A: coverage summary, one table per framework, the legend, the numbered decisions."""
    words = labels(language)
    frameworks = list(frameworks)
    title = words["alignment_annex"]
    if not any(framework.items for framework in frameworks):
        return Annex(title, escape(words["no_framework"]) + "\n")
    by_item: dict[str, list[AlignmentEntry]] = {}
    for entry in entries:
        by_item.setdefault(entry.item_code, []).append(entry)

    # Decisions are numbered in the order of the tables: framework, item, section.
    numbered: list[tuple[AnnexFramework, AnnexItem, AlignmentEntry]] = []
    number_of: dict[int, int] = {}
    for framework in frameworks:
        for item in framework.items:
            for entry in by_item.get(item.code, []):
                numbered.append((framework, item, entry))
                number_of[id(entry)] = len(numbered)

    def status_word(entry: AlignmentEntry) -> str:
        return words.get(f"status_{entry.status}", entry.status)

    def where(entry: AlignmentEntry) -> str:
        return entry.section_number or words["whole_paper"]

    def letter(entry: AlignmentEntry) -> str:
        return words.get(f"letter_{entry.status}", entry.status)

    blocks = [f"**{escape(words['coverage'])}**"]
    coverage = []
    for framework in frameworks:
        addressed = [
            item
            for item in framework.items
            if any(e.status in ADDRESSING for e in by_item.get(item.code, []))
        ]
        missing = [item for item in framework.items if item not in addressed]
        conflicts = [
            f"{_text(where(e))} × {_text(short_code(framework.code, item.code))} "
            f"\\[{number_of[id(e)]}\\]"
            for item in framework.items
            for e in by_item.get(item.code, [])
            if e.status == "conflict"
        ]
        counted = words["covered"].format(addressed=len(addressed), total=len(framework.items))
        missing_text = ", ".join(_text(short_code(framework.code, i.code)) for i in missing)
        coverage.append(
            f"- **{_text(framework.code)}**{_colon(words)} {escape(counted)}; "
            + _labelled(words, words["not_addressed"], missing_text or escape(words["none"]))
            + "; "
            + _labelled(words, words["conflicts"], "; ".join(conflicts) or escape(words["none"]))
        )
    blocks.append("\n".join(coverage))

    widths = []
    for framework in frameworks:
        blocks.append(f"**{_text(framework.code)} — {_text(framework.title)}**")
        table, table_widths = _framework_table(framework, by_item, number_of, words, where, letter)
        blocks.append(table)
        widths.append(table_widths)

    legend = [
        f"- {escape(words[f'letter_{s}'])}{_colon(words)} {escape(words[f'status_{s}'])}"
        for s in STATUSES
    ]
    legend.append(f"- —{_colon(words)} {escape(words['no_decision'])}")
    blocks.append(f"**{escape(words['legend'])}**\n\n" + "\n".join(legend))

    if numbered:
        # A table rather than a list: one line for most decisions, in the tables' small type
        # (section numbers only: the grids and the contents give the titles).
        head = [words[key] for key, _ in _DECISION_COLUMNS]
        lines = [
            "| " + " | ".join(escape(word) for word in head) + " |",
            "|" + "---|" * len(head),
        ]
        for number, (framework, item, entry) in enumerate(numbered, start=1):
            why = _text(entry.rationale)
            if entry.quote and entry.quote.strip():
                why += " " + _labelled(words, words["quote"], f"“{_text(entry.quote)}”")
            cells = [
                str(number),
                _text(where(entry)),
                _text(short_code(framework.code, item.code)),
                escape(status_word(entry)),
                why.strip(),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        blocks.append(f"**{escape(words['decisions'])}**")
        blocks.append("\n".join(lines))
        widths.append(tuple(width for _, width in _DECISION_COLUMNS))
    return Annex(title, "\n\n".join(blocks) + "\n", tuple(widths))


def _framework_table(
    framework, by_item, number_of, words, where, letter
) -> tuple[str, tuple[int, ...]]:
    """Items as rows; sections as columns when few, else listed in one cell per item."""
    decided = [e for item in framework.items for e in by_item.get(item.code, [])]
    # The sections in the paper's order (the whole paper first), not in the order of decisions.
    order = {}
    for e in sorted(decided, key=_document_order):
        order.setdefault(where(e), None)
    columns = list(order)
    as_columns = 0 < len(columns) <= MAX_SECTION_COLUMNS

    def cell(entry: AlignmentEntry) -> str:
        return f"{escape(letter(entry))} \\[{number_of[id(entry)]}\\]"

    if as_columns:
        # A cell holds a letter and a decision number: the item's code and title get the rest.
        head = [escape(words["item"]), *(_text(c) for c in columns)]
        widths = [max(40, 100 - 8 * len(columns))] + [8] * len(columns)
    else:
        head = [escape(words["item"]), escape(words["sections_col"])]
        widths = [40, 60]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for item in framework.items:
        label = f"{_text(short_code(framework.code, item.code))} — {_text(item.title)}"
        mine = by_item.get(item.code, [])
        if as_columns:
            found = {where(e): e for e in mine}
            cells = [cell(found[c]) if c in found else "—" for c in columns]
        else:
            cells = ["; ".join(f"{_text(where(e))} {cell(e)}" for e in mine) or "—"]
        lines.append("| " + " | ".join([label, *cells]) + " |")
    return "\n".join(lines), tuple(widths)


def _document_order(entry: AlignmentEntry) -> tuple[int, tuple[int, ...], str]:
    """Sort key: the whole paper first, then sections by number (2.10 after 2.9)."""
    number = entry.section_number
    if number is None:
        return (0, (), "")
    parts = number.split(".")
    if all(part.isdigit() for part in parts):
        return (1, tuple(int(part) for part in parts), "")
    return (2, (), number)


# The decisions table of Annex A: label key and relative width.
_DECISION_COLUMNS = (
    ("col_number", 4),
    ("col_section", 8),
    ("item", 6),
    ("col_status", 9),
    ("col_rationale", 73),
)

# Annex B's columns: label key and relative width.
_COMMENT_COLUMNS = (
    ("col_number", 4),
    ("col_section", 12),
    ("col_sector", 6),
    ("col_author", 9),
    ("col_date", 9),
    ("col_type", 10),
    ("col_passage", 13),
    ("col_comment", 17),
    ("col_decision", 9),
    ("col_rationale", 11),
)


def comment_annex(entries: Iterable[CommentEntry], language: str) -> Annex | None:
    """Annex B: one row per comment, decision and type in words (None without comments)."""
    entries = list(entries)
    if not entries:
        return None
    words = labels(language)
    lines = [
        "| " + " | ".join(escape(words[key]) for key, _ in _COMMENT_COLUMNS) + " |",
        "|" + "---|" * len(_COMMENT_COLUMNS),
    ]
    for entry in entries:
        comment = _text(entry.comment)
        if entry.proposed_change.strip():
            proposed = f"“{_text(entry.proposed_change)}”"
            comment += " " + _labelled(words, words["proposed_change"], proposed)
        cells = [
            str(entry.number),
            _text(f"{entry.section_number} {entry.section_title}"),
            _text(entry.sector),
            _text(entry.author),
            day(entry.created_at),
            escape(words.get(f"type_{entry.type}", entry.type)),
            _text(entry.passage),
            comment,
            escape(words.get(f"decision_{entry.decision or 'open'}", entry.decision)),
            _text(entry.rationale),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    widths = tuple(width for _, width in _COMMENT_COLUMNS)
    return Annex(words["comment_annex"], "\n".join(lines) + "\n", (widths,))
