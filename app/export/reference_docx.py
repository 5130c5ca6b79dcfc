"""Build `reference.docx`, the Word styles every DOCX export uses.

Pandoc takes its styles, page setup, header and footer from a reference document. This module
starts from pandoc's own reference (so every style pandoc writes exists) and gives it the
organisation's look with python-docx: A4 pages, a sober sans-serif, headings in UNESCO blue,
bordered tables, a header with the paper title and a DRAFT mark, a footer with the version label,
short hash and page numbers. The header and footer hold placeholder words (see PLACEHOLDERS)
that each export replaces with its own values.

The result is stored in the repository; rebuild it after changing this file with
`python -m app.export.reference_docx`.
"""

from __future__ import annotations

import io
from pathlib import Path

PATH = Path(__file__).resolve().parent / "reference.docx"

# Words in the header and footer that an export replaces (docx.py fills them in).
TITLE, DRAFT, VERSION, HASH, PAGE, OF = (
    "PLUMETITLE",
    "PLUMEDRAFT",
    "PLUMEVERSION",
    "PLUMEHASH",
    "PLUMEPAGE",
    "PLUMEOF",
)
PLACEHOLDERS = (TITLE, DRAFT, VERSION, HASH, PAGE, OF)

FONT = "Arial"
BLUE, GREY, RED = "005BA6", "595959", "C00000"


def _font(style, size: float | None = None, color: str | None = None, bold=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style.font
    font.name = FONT
    # font.name sets only the Latin slots; set the others so accents never switch fonts.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(slot), None)
    if size is not None:
        font.size = Pt(size)
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)
    if bold is not None:
        font.bold = bold


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) with a shown value Word updates when it lays out pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _table_borders(style) -> None:
    """Thin grey borders on every cell of pandoc's "Table" style."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = style.element.find(qn("w:tblPr"))
    if properties is None:
        properties = OxmlElement("w:tblPr")
        style.element.append(properties)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "A6A6A6")
        borders.append(line)
    properties.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), "100")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(margins)


def build() -> bytes:
    """The reference document, as bytes."""
    # python-docx is imported here: exports only need this module's placeholder words.
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt, RGBColor

    from app.export import pandoc

    default = pandoc.run(["--print-default-data-file", "reference.docx"], b"")
    document = docx.Document(io.BytesIO(default))
    styles = document.styles

    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text"):
        _font(styles[name], 10.5)
    for name in ("Body Text", "First Paragraph"):
        styles[name].paragraph_format.space_after = Pt(6)
        styles[name].paragraph_format.line_spacing = 1.15
    _font(styles["Title"], 24, BLUE, bold=True)
    _font(styles["Subtitle"], 13, GREY)
    _font(styles["Date"], 11, GREY)
    sizes = {1: 16, 2: 13, 3: 12, 4: 11, 5: 11, 6: 10.5}
    for level, size in sizes.items():
        heading = styles[f"Heading {level}"]
        _font(heading, size, BLUE, bold=True)
        heading.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True
        # Chapters start on a new page, as in the PDF.
        heading.paragraph_format.page_break_before = level == 1
    _font(styles["Footnote Text"], 9)
    _font(styles["TOC Heading"], 16, BLUE, bold=True)
    _font(styles["Table Caption"], 9.5, GREY)
    styles["Hyperlink"].font.color.rgb = RGBColor.from_string(BLUE)
    _table_borders(styles["Table"])

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12)
    text_width = section.page_width - section.left_margin - section.right_margin

    header = section.header.paragraphs[0]
    header.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    title = header.add_run(TITLE)
    title.font.size, title.font.color.rgb = Pt(8.5), RGBColor.from_string(GREY)
    header.add_run("\t")
    draft = header.add_run(DRAFT)
    draft.font.size, draft.font.bold = Pt(14), True
    draft.font.color.rgb = RGBColor.from_string(RED)

    footer = section.footer.paragraphs[0]
    footer.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(f"{VERSION} · {HASH}\t{PAGE} ")
    _field(footer, "PAGE", "1")
    footer.add_run(f" {OF} ")
    _field(footer, "NUMPAGES", "1")
    for run in footer.runs:
        run.font.size, run.font.color.rgb = Pt(8.5), RGBColor.from_string(GREY)

    for table in document.tables:
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(build())
    print(f"wrote {PATH}")
