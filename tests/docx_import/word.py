"""Word-shaped .docx files built from Word's documented OOXML parts (ECMA-376, MS-DOCX).

What Word writes when a reviewer comments, answers a comment, marks a thread done and tracks
changes: comments.xml (w:comment with w:author, w:initials, w:date; each paragraph with a
w14:paraId), commentsExtended.xml (w15:commentEx with w15:paraId, w15:paraIdParent, w15:done)
and, in document.xml, commentRangeStart/End, commentReference, w:ins and w:del.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'mc:Ignorable="w14 w15"'
)
_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_OVERRIDES = {
    "/word/document.xml": f"{_WORD}.document.main+xml",
    "/word/comments.xml": f"{_WORD}.comments+xml",
    "/word/commentsExtended.xml": f"{_WORD}.commentsExtended+xml",
    "/docProps/custom.xml": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
}
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in _OVERRIDES.items())
    + "</Types>"
)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def deleted(text: str, author: str, change_id: int, date: str = "2025-04-02T10:00:00Z") -> str:
    return (
        f'<w:del w:id="{change_id}" w:author={quoteattr(author)} w:date="{date}">'
        f'<w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'
    )


def inserted(text: str, author: str, change_id: int, date: str = "2025-04-02T10:00:00Z") -> str:
    return (
        f'<w:ins w:id="{change_id}" w:author={quoteattr(author)} w:date="{date}">'
        f"{run(text)}</w:ins>"
    )


def comment_start(comment_id: int) -> str:
    return f'<w:commentRangeStart w:id="{comment_id}"/>'


def comment_end(comment_id: int) -> str:
    return (
        f'<w:commentRangeEnd w:id="{comment_id}"/>'
        f'<w:r><w:commentReference w:id="{comment_id}"/></w:r>'
    )


@dataclass
class WordComment:
    id: int
    author: str
    text: str
    initials: str = ""
    date: str = "2025-04-02T09:00:00Z"
    parent: int | None = None  # the id of the comment it answers
    done: bool = False

    @property
    def para_id(self) -> str:
        return f"{0x10000000 + self.id:08X}"


@dataclass
class WordFile:
    sections: list[tuple[str | None, str, list[str]]]  # (bookmark key, heading, paragraph runs)
    comments: list[WordComment] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    extra_parts: dict[str, bytes] = field(default_factory=dict)

    def document(self) -> str:
        body = []
        for index, (key, heading, paragraphs) in enumerate(self.sections):
            start = end = ""
            if key is not None:
                start = f'<w:bookmarkStart w:id="{900 + index}" w:name="plume-s{key}"/>'
                end = f'<w:bookmarkEnd w:id="{900 + index}"/>'
            # A heading given as XML is taken as is (a comment on it, say).
            runs = heading if heading.startswith("<") else run(heading)
            body.append(f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>{start}{runs}</w:p>')
            for number, runs in enumerate(paragraphs):
                close = end if number == len(paragraphs) - 1 else ""
                body.append(f"<w:p>{runs}{close}</w:p>")
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NS}>'
            f"<w:body>{''.join(body)}<w:sectPr/></w:body></w:document>"
        )

    def comments_part(self) -> str:
        entries = "".join(
            f'<w:comment w:id="{c.id}" w:author={quoteattr(c.author)} w:date="{c.date}" '
            f"w:initials={quoteattr(c.initials)}>"
            f'<w:p w14:paraId="{c.para_id}" w14:textId="77777777">'
            f"<w:r><w:annotationRef/></w:r>{run(c.text)}</w:p></w:comment>"
            for c in self.comments
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<w:comments {NS}>{entries}</w:comments>"
        )

    def extended_part(self) -> str:
        by_id = {c.id: c for c in self.comments}
        entries = []
        for c in self.comments:
            parent = (
                f' w15:paraIdParent="{by_id[c.parent].para_id}"' if c.parent is not None else ""
            )
            entries.append(
                f'<w15:commentEx w15:paraId="{c.para_id}"{parent} w15:done="{int(c.done)}"/>'
            )
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<w15:commentsEx {NS}>{''.join(entries)}</w15:commentsEx>"
        )

    def custom_part(self) -> str:
        props = "".join(
            f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
            f"name={quoteattr(name)}><vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
            for pid, (name, value) in enumerate(self.properties.items(), start=2)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            "<Properties "
            'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"{props}</Properties>"
        )

    def build(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
            archive.writestr("word/document.xml", self.document())
            if self.comments:
                archive.writestr("word/comments.xml", self.comments_part())
                archive.writestr("word/commentsExtended.xml", self.extended_part())
            if self.properties:
                archive.writestr("docProps/custom.xml", self.custom_part())
            for name, data in self.extra_parts.items():
                archive.writestr(name, data)
        return out.getvalue()
