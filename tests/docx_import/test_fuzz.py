"""Fuzzing the reader: malformed zips and XML end in a refusal (a 4xx) or a reading, never a
crash (which the API would answer with a 500)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.docx_import import Refused, ReturnedFile, read_docx
from tests.docx_import.hostile import with_part, zip_with
from tests.docx_import.test_reader import reviewed_file

VALID = reviewed_file()
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def read(data: bytes) -> None:
    try:
        found = read_docx(data)
    except Refused:
        return
    assert isinstance(found, ReturnedFile)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    read(data)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=20))
def test_a_valid_file_with_flipped_bytes(flips):
    data = bytearray(VALID)
    for position, value in flips:
        data[position] = value
    read(bytes(data))


@FUZZ
@given(st.integers(0, len(VALID)))
def test_a_truncated_file(length):
    read(VALID[:length])


XML_PIECES = st.sampled_from(
    [
        "<w:p>",
        "</w:p>",
        "<w:r><w:t>text</w:t></w:r>",
        '<w:commentRangeStart w:id="1"/>',
        '<w:commentRangeEnd w:id="1"/>',
        '<w:commentRangeEnd w:id="x"/>',
        '<w:ins w:id="2" w:author="A">',
        "</w:ins>",
        '<w:del w:author="">',
        "</w:del>",
        "<w:delText>gone</w:delText>",
        '<w:bookmarkStart w:id="3" w:name="plume-s1"/>',
        '<w:bookmarkStart w:id="4" w:name="plume-s"/>',
        '<w:bookmarkEnd w:id="3"/>',
        '<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>',
        "<w:tbl><w:tr><w:tc>",
        "</w:tc></w:tr></w:tbl>",
        "&amp;",
        "<!-- c -->",
        "\x00",
        "]]>",
    ]
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@FUZZ
@given(st.lists(XML_PIECES, max_size=40), st.lists(XML_PIECES, max_size=10))
def test_malformed_document_and_comments(body, comment):
    document = f"<w:document {W}><w:body>{''.join(body)}</w:body></w:document>"
    comments = (
        f'<w:comments {W}><w:comment w:id="1" w:date="0-00-00T00:00:00Z">'
        f"{''.join(comment)}</w:comment></w:comments>"
    )
    data = zip_with(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": document.encode("utf-8", "surrogatepass"),
            "word/comments.xml": comments.encode("utf-8", "surrogatepass"),
        }
    )
    read(data)


@FUZZ
@given(st.text(max_size=300))
def test_any_text_as_a_part(text):
    read(with_part("word/commentsExtended.xml", text.encode("utf-8", "surrogatepass")))
    read(with_part("docProps/custom.xml", text.encode("utf-8", "surrogatepass")))
