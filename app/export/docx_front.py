"""What a Word file shows before anyone updates it: a filled table of contents, true properties.

Pandoc writes the table of contents as an empty TOC field that only Word fills (when the reader
agrees to update fields), so LibreOffice and every viewer showed an empty "Contents" page. The
field now carries a result: one linked entry per heading (levels 1-3), pointing at a bookmark
on the heading; page numbers are left to Word, which still updates the field (it stays dirty).

Pandoc's `--sandbox` ignores SOURCE_DATE_EPOCH, so core.xml said 1 January 1970 and nobody
wrote the file; app.xml kept the reference document's "Microsoft Word 12.0.0" and word count.
Both are written here from the version, so the same version still gives the same bytes.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as xml_escape

from app.export.document import VersionDocument
from app.export.labels import iso
from app.export.markdown import normalize_line

_HEADING = re.compile(
    r'<w:p><w:pPr><w:pStyle w:val="Heading([1-3])" />(.*?)</w:pPr>(.*?)</w:p>', re.DOTALL
)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_DELETED = re.compile(r"<w:del .*?</w:del>", re.DOTALL)
_EMPTY_RESULT = (
    '<w:fldChar w:fldCharType="separate" /><w:fldChar w:fldCharType="end" /></w:r></w:p>'
)
# Bookmark ids far above any pandoc gives, so the two never meet.
_FIRST_ID = 800000
TOC_STYLES = "".join(
    f'<w:style w:type="paragraph" w:styleId="TOC{level}"><w:name w:val="toc {level}" />'
    '<w:basedOn w:val="Normal" /><w:next w:val="Normal" /><w:uiPriority w:val="39" />'
    f'<w:pPr><w:spacing w:before="0" w:after="60" /><w:ind w:left="{(level - 1) * 360}" />'
    "</w:pPr></w:style>"
    for level in (1, 2, 3)
)


def fill_toc(body: str) -> str:
    """The body with a bookmark on every heading of levels 1-3 and the TOC field's result
    listing them as links (the body unchanged when it has no TOC field)."""
    if "TOC \\o" not in body or _EMPTY_RESULT not in body:
        return body
    entries: list[tuple[int, str, str]] = []

    def mark(match: re.Match[str]) -> str:
        level, properties, content = match.groups()
        text = "".join(_TEXT.findall(_DELETED.sub("", content))).strip()
        if not text:
            return match.group(0)
        name = f"_TocPlume{len(entries) + 1}"
        number = _FIRST_ID + len(entries) + 1
        entries.append((int(level), name, text))
        return (
            f'<w:p><w:pPr><w:pStyle w:val="Heading{level}" />{properties}</w:pPr>'
            f'<w:bookmarkStart w:id="{number}" w:name="{name}" />{content}'
            f'<w:bookmarkEnd w:id="{number}" /></w:p>'
        )

    body = _HEADING.sub(mark, body)
    if not entries:
        return body
    first, *rest = entries
    lines = ['<w:fldChar w:fldCharType="separate" /></w:r>' + _link(first[1], first[2]) + "</w:p>"]
    lines += [
        f'<w:p><w:pPr><w:pStyle w:val="TOC{level}" /></w:pPr>{_link(name, text)}</w:p>'
        for level, name, text in rest
    ]
    lines.append('<w:p><w:r><w:fldChar w:fldCharType="end" /></w:r></w:p>')
    start = body.index(_EMPTY_RESULT)
    paragraph = body.rfind("<w:p>", 0, start)
    # The field's first paragraph takes the first entry's style.
    styled = f'<w:p><w:pPr><w:pStyle w:val="TOC{first[0]}" /></w:pPr>'
    return (
        body[:paragraph]
        + styled
        + body[paragraph + len("<w:p>") : start]
        + "".join(lines)
        + body[start + len(_EMPTY_RESULT) :]
    )


def cover_then_contents(body: str) -> str:
    """The draft or signed-off notice moved up to the cover, and the contents on a page of
    their own after it (pandoc writes the TOC first, so the notice fell under it)."""
    start, end = body.find("<w:sdt>"), body.find("</w:sdt>")
    if start < 0 or end < 0:
        return body
    end += len("</w:sdt>")
    after = body.find("<w:p>", end)
    close = body.find("</w:p>", after)
    if after < 0 or close < 0 or body[end:after].strip():
        return body
    notice = body[after : close + len("</w:p>")]
    page_break = '<w:p><w:r><w:br w:type="page" /></w:r></w:p>'
    return body[:start] + notice + page_break + body[start:end] + body[close + len("</w:p>") :]


def _link(anchor: str, text: str) -> str:
    # `text` comes from document.xml, so it is escaped already.
    return (
        f'<w:hyperlink w:anchor="{anchor}" w:history="1"><w:r>'
        f'<w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>'
    )


def with_toc_styles(styles: str) -> str:
    """styles.xml with the TOC 1-3 paragraph styles Word uses for its entries."""
    if 'w:styleId="TOC1"' in styles:
        return styles
    return styles.replace("</w:styles>", TOC_STYLES + "</w:styles>")


def core_properties(doc: VersionDocument, language: str) -> str:
    """docProps/core.xml: the version's title, authors, subject, language, keywords and time."""
    moment = iso(doc.frozen_at)
    values = [
        ("dc:title", normalize_line(doc.paper_title)),
        ("dc:subject", normalize_line(doc.subject)),
        ("dc:creator", "; ".join(normalize_line(name) for name in doc.authors)),
        ("cp:keywords", ", ".join(normalize_line(word) for word in doc.keywords)),
        ("dc:language", language),
        ("cp:lastModifiedBy", "; ".join(normalize_line(name) for name in doc.authors)),
        ("cp:revision", "1"),
        ("cp:version", normalize_line(doc.version_label)),
    ]
    fields = "".join(f"<{tag}>{xml_escape(value)}</{tag}>" for tag, value in values)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{fields}"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{moment}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{moment}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app_properties() -> str:
    """docProps/app.xml naming Plume, with no counts (Word computes its own when it opens)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>Plume</Application><DocSecurity>0</DocSecurity>'
        "<ScaleCrop>false</ScaleCrop><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged><LinksUpToDate>false</LinksUpToDate>"
        "</Properties>"
    )
