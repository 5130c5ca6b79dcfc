"""Hostile .docx files: each is refused before any part is parsed."""

from __future__ import annotations

import io
import zipfile

from tests.docx_import.word import WordFile, run


def plain() -> WordFile:
    return WordFile(sections=[("1", "1 Introduction", [run("Some text.")])])


def zip_with(entries: dict[str, bytes], *, level: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A document.xml of 300 MiB of spaces: a few hundred kilobytes once compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b" " * (1 << 20)
            for _ in range(300):
                entry.write(block)
    return out.getvalue()


def traversal() -> bytes:
    document = plain()
    return zip_with(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": document.document().encode(),
            "../../evil.sh": b"rm -rf /",
        }
    )


def absolute_name() -> bytes:
    return zip_with({"[Content_Types].xml": b"<Types/>", "/etc/passwd": b"x"})


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol4;</w:t></w:r></w:p></w:body></w:document>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE w:comments [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:comment w:id="1" w:author="x"><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:comment>
</w:comments>"""


def with_part(name: str, data: bytes) -> bytes:
    document = plain()
    entries = {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": document.document().encode(),
    }
    entries[name] = data
    return zip_with(entries)


def macros() -> bytes:
    return with_part("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")


def macro_content_type() -> bytes:
    types = (
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
    )
    return zip_with(
        {"[Content_Types].xml": types, "word/document.xml": plain().document().encode()}
    )


HOSTILE = {
    "zip bomb": (zip_bomb, "import_zip_bomb"),
    "path traversal": (traversal, "import_unsafe_name"),
    "absolute name": (absolute_name, "import_unsafe_name"),
    "billion laughs": (lambda: with_part("word/document.xml", BILLION_LAUGHS), "import_xml_unsafe"),
    "XXE": (lambda: with_part("word/comments.xml", XXE), "import_xml_unsafe"),
    "macros": (macros, "import_macros"),
    "macro content type": (macro_content_type, "import_macros"),
    "not a zip": (lambda: b"%PDF-1.7 not a docx", "import_not_docx"),
    "no document": (lambda: zip_with({"[Content_Types].xml": b"<Types/>"}), "import_not_docx"),
    "broken xml": (
        lambda: with_part("word/document.xml", b"<w:document><w:body>"),
        "import_malformed",
    ),
}
