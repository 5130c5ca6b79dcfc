"""Page layout that pandoc's docx writer cannot express: landscape annexes, sized table columns.

The annexes are wide tables, so they go in a landscape section of their own: a section break
(a paragraph holding the portrait section's properties) before the first annex, and the
document's last section, which holds the annexes, turned landscape. CommonMark pipe tables
carry no column widths, so the annex tables get theirs here (fixed layout, a grid and a width
for every cell), in proportion to the widths the annex builder gave.
"""

from __future__ import annotations

import re
import zipfile

_SECTION = re.compile(r"<w:sectPr>.*?</w:sectPr>", re.DOTALL)
_PAGE_SIZE = re.compile(r"<w:pgSz [^>]*/>")
_WIDTH = re.compile(r'<w:pgSz w:h="(\d+)" w:w="(\d+)" />')
_MARGINS = re.compile(r'<w:pgMar [^>]*w:left="(\d+)"[^>]*w:right="(\d+)"')
_TABLE = re.compile(r"<w:tbl>.*?</w:tbl>", re.DOTALL)
_TABLE_WIDTH = re.compile(r'<w:tblW w:type="auto" w:w="0" />')
_GRID = re.compile(r"<w:tblGrid>.*?</w:tblGrid>", re.DOTALL)
_ROW = re.compile(r"<w:tr>.*?</w:tr>", re.DOTALL)
_CELL_PROPERTIES = re.compile(r"<w:tcPr />")
_COMPACT = '<w:pStyle w:val="Compact" />'
# The annex tables' text: 9 pt, as in the PDF (Word's body size would split "Substantive").
TABLE_STYLE = "PlumeTableText"
_TABLE_STYLE_XML = (
    f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{TABLE_STYLE}">'
    f'<w:name w:val="Plume Table Text" /><w:basedOn w:val="Compact" /><w:qFormat />'
    '<w:pPr><w:spacing w:before="0" w:after="0" /></w:pPr>'
    '<w:rPr><w:sz w:val="18" /><w:szCs w:val="18" /></w:rPr></w:style>'
)


def with_table_style(styles: str) -> str:
    """styles.xml with the annex tables' paragraph style defined."""
    if TABLE_STYLE in styles:
        return styles
    return styles.replace("</w:styles>", _TABLE_STYLE_XML + "</w:styles>")


def landscape_text_width(final_section: str) -> int:
    """The text width (twips) of the document's page turned landscape."""
    size, margins = _WIDTH.search(final_section), _MARGINS.search(final_section)
    if size is None or margins is None:
        return 14004  # A4 landscape with 2.5 cm margins
    return int(size.group(1)) - int(margins.group(1)) - int(margins.group(2))


def last_section(body: str) -> str:
    found = list(_SECTION.finditer(body))
    return found[-1].group(0) if found else ""


def section_break(final_section: str) -> str:
    """The paragraph that ends the portrait pages (the section keeps the document's page)."""
    return f"<w:p><w:pPr>{final_section}</w:pPr></w:p>"


def landscape(final_section: str) -> str:
    """The final section's properties with the page turned landscape."""
    size = _WIDTH.search(final_section)
    if size is None:
        return final_section
    height, width = size.group(1), size.group(2)
    turned = f'<w:pgSz w:h="{width}" w:w="{height}" w:orient="landscape" />'
    return _PAGE_SIZE.sub(turned, final_section, count=1)


def table_widths(xml: str, widths: tuple[tuple[int, ...], ...], text_width: int) -> str:
    """`xml` with its tables, in order, given columns in proportion to `widths`."""
    found = iter(widths)

    def one(match: re.Match[str]) -> str:
        relative = next(found, None)
        table = match.group(0)
        if not relative:
            return table
        total = sum(relative)
        twips = [text_width * width // total for width in relative]
        grid = "".join(f'<w:gridCol w:w="{w}" />' for w in twips)
        table = _TABLE_WIDTH.sub(
            f'<w:tblW w:type="dxa" w:w="{sum(twips)}" /><w:tblLayout w:type="fixed" />',
            table,
            count=1,
        )
        table = _GRID.sub(f"<w:tblGrid>{grid}</w:tblGrid>", table, count=1)

        def row(match: re.Match[str]) -> str:
            cells = iter(twips)
            return _CELL_PROPERTIES.sub(
                lambda _: f'<w:tcPr><w:tcW w:type="dxa" w:w="{next(cells, twips[-1])}" /></w:tcPr>',
                match.group(0),
            )

        return _ROW.sub(row, table).replace(_COMPACT, f'<w:pStyle w:val="{TABLE_STYLE}" />')

    return _TABLE.sub(one, xml)


_REFERENCE = re.compile(r'<w:(header|footer)Reference r:id="([^"]+)" w:type="default" />')
_TAB_STOP = re.compile(r'<w:tab w:pos="(\d+)" w:val="right"\s*/>')


def landscape_header_footer(parts: dict[str, str], infos: list, final_section: str) -> str:
    """Headers and footers of their own for the landscape section, their right-aligned part
    (DRAFT, the page number) at the landscape text's right edge rather than the portrait's;
    returns the section's properties pointing at them. `parts` and `infos` (the package's)
    get the new parts, their relationships and their content types."""
    rels_name = "word/_rels/document.xml.rels"
    rels = parts.get(rels_name, "")
    targets = dict(re.findall(r'Id="([^"]+)" Target="([^"]+)"', rels))
    targets.update(
        {rid: target for target, rid in re.findall(r'Target="([^"]+)" Id="([^"]+)"', rels)}
    )
    width = landscape_text_width(final_section)
    turned = final_section
    for kind, rid in _REFERENCE.findall(final_section):
        source = f"word/{targets.get(rid, '')}"
        if source not in parts:
            continue
        name = f"{kind}-landscape.xml"
        new_rid = f"rIdPlume{kind.title()}Landscape"
        parts[f"word/{name}"] = _TAB_STOP.sub(
            f'<w:tab w:pos="{width}" w:val="right" />', parts[source]
        )
        infos.append(zipfile.ZipInfo(f"word/{name}"))
        rels = rels.replace(
            "</Relationships>",
            f'<Relationship Id="{new_rid}" Target="{name}" Type="http://schemas.openxmlformats'
            f'.org/officeDocument/2006/relationships/{kind}" /></Relationships>',
        )
        types = parts["[Content_Types].xml"]
        parts["[Content_Types].xml"] = types.replace(
            "</Types>",
            f'<Override PartName="/word/{name}" ContentType="application/vnd.openxmlformats-'
            f'officedocument.wordprocessingml.{kind}+xml" /></Types>',
        )
        turned = turned.replace(
            f'<w:{kind}Reference r:id="{rid}" w:type="default" />',
            f'<w:{kind}Reference r:id="{new_rid}" w:type="default" />',
        )
    parts[rels_name] = rels
    return turned
