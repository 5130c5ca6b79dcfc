"""The comment resolution matrix of a review round: one row per comment, as CSV and as Word.

This is the form standards bodies and intergovernmental secretariats use: who said what about
which passage, what they proposed, what was decided and why.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.export.document import MatrixRow

_HEADINGS = {
    "en": {
        "sector": "Sector",
        "section_number": "Section",
        "section_title": "Section title",
        "passage": "Passage",
        "type": "Type",
        "comment": "Comment",
        "proposed_change": "Proposed change",
        "decision": "Decision",
        "rationale": "Rationale",
    },
    "fr": {
        "sector": "Secteur",
        "section_number": "Section",
        "section_title": "Titre de la section",
        "passage": "Passage",
        "type": "Type",
        "comment": "Commentaire",
        "proposed_change": "Modification proposée",
        "decision": "Décision",
        "rationale": "Justification",
    },
}
_FIELDS = MatrixRow._fields  # the order of _HEADINGS too
# Word columns (cm) on a landscape A4 page with 1.5 cm margins; the section is one column there.
_WORD_COLUMNS = [
    ("sector", 1.8),
    ("section", 3.2),
    ("passage", 4.2),
    ("type", 2.0),
    ("comment", 5.0),
    ("proposed_change", 4.0),
    ("decision", 2.2),
    ("rationale", 4.2),
]
# Excel runs a cell that starts with one of these as a formula: comments are user text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _headings(language: str) -> dict[str, str]:
    return _HEADINGS.get(language, _HEADINGS["en"])


def _cell(value: str | None) -> str:
    """A CSV cell as the csv module writes it (QUOTE_MINIMAL, lines ended by CRLF: quoted
    when it holds a comma, a quote or a line break, its quotes doubled), which a spreadsheet
    shows as text, never runs as a formula (OWASP advice: a leading ')."""
    if not value:
        return ""
    if value.startswith(FORMULA_START):
        value = "'" + value
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def comment_matrix_csv(rows: Iterable[Sequence[str | None]], language: str = "en") -> bytes:
    """The matrix as CSV: UTF-8 with a BOM (so Excel reads accents right), a header row, and
    one row per comment. `rows` are MatrixRows, or any tuples in their order (None: empty).

    Written by `_cell`, byte for byte what csv.writer writes (tests/export/test_matrix.py
    checks it on any text): the csv module walks every character in its own loop, 50-90 ms
    for the 2.6 MB of 7,400 comments, where these string methods take 13."""
    headings = _headings(language)
    lines = [",".join([_cell(headings[name]) for name in _FIELDS])]
    lines += [",".join([_cell(value) for value in row]) for row in rows]
    lines.append("")
    return "\r\n".join(lines).encode("utf-8-sig")


def comment_matrix_docx(rows: Iterable[MatrixRow], title: str, language: str = "en") -> bytes:
    """The matrix as a Word table on landscape pages, its header row repeated on every page."""
    rows = list(rows)
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.core_properties.title = title[:255]  # the most a DOCX property holds
    heading = document.add_paragraph(style="Title")
    run = heading.add_run(title)
    run.font.size, run.font.color.rgb = Pt(18), RGBColor(0x00, 0x5B, 0xA6)

    headings = _headings(language)
    labels = {**headings, "section": headings["section_number"]}
    table = document.add_table(rows=1, cols=len(_WORD_COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    for cell, (name, width) in zip(table.rows[0].cells, _WORD_COLUMNS, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].add_run(labels[name]).bold = True
        _shade(cell, "DCE6F2")
    _repeat_as_header(table.rows[0])
    for row in rows:
        values = {
            **row._asdict(),
            "section": f"{row.section_number} {row.section_title}".strip(),
        }
        cells = table.add_row().cells
        for cell, (name, width) in zip(cells, _WORD_COLUMNS, strict=True):
            cell.width = Cm(width)
            cell.paragraphs[0].add_run(values[name] or "")
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for piece in paragraph.runs:
                    piece.font.size = Pt(9)

    out = io.BytesIO()
    document.save(out)
    return _fixed_times(out.getvalue())


def _repeat_as_header(row) -> None:
    """Mark a table row as a header row, which Word repeats at the top of every page."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _fixed_times(data: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so equal rows give equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info))
    return out.getvalue()
