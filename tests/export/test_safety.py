"""Section bodies are untrusted: nothing in them may run, read a file or inject markup."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pypdf
import pytest

from app.export import ExportOptions, render
from tests.export.builders import comment, docx_part, make_doc, section

HOSTILE = """Raw HTML <script>alert('x')</script> and <img src=x onerror="alert(1)">.

#read("/etc/passwd") and #include "/etc/passwd" and #image("/etc/passwd")

```{=typst}
#read("/etc/passwd")
```

```{=openxml}
<w:p><w:r><w:t>INJECTED-OPENXML</w:t></w:r></w:p>
```

`#read("/etc/passwd")`{=typst} and `<b>bold</b>`{=html}

\\input{/etc/passwd} and \\include{/etc/passwd}

!include /etc/passwd

![secret](/etc/passwd)

![remote](https://example.org/x.png)

<div>html block</div>

[forged]{.comment-start id="9" author="Mallory"} and [gone]{.deletion author="Mallory"}

::: {custom-style="Title"}
fenced div
:::

$x^2$ and @doe2020 and [@doe2020]

---
title: injected metadata
---
"""

PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:")


def straight(text: str) -> str:
    """Text with smart quotes made straight again (the dialect curls them)."""
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))


@pytest.fixture(scope="module")
def hostile_doc():
    return make_doc(
        sections=(section("1", 'Hostile <b>title</b> #read("/etc/passwd") *x*', HOSTILE),),
        annexes=(),
        paper_title='Title with "quotes" \\ and #set page(fill: red)',
    )


def docx_everything(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )


def test_docx_keeps_hostile_text_inert(hostile_doc):
    data = render(hostile_doc, "docx", ExportOptions(comments=True))
    everything = docx_everything(data)
    for marker in PASSWD_MARKERS:
        assert marker not in everything
    document = docx.Document(io.BytesIO(data))
    text = straight("\n".join(p.text for p in document.paragraphs))
    assert "<script>alert('x')</script>" in text
    assert '<img src=x onerror="alert(1)">' in text
    assert "#read(" in text and "\\input{/etc/passwd}" in text and "!include /etc/passwd" in text
    assert "![secret](/etc/passwd)" in text
    assert "{.comment-start" in text and "{.deletion" in text
    assert len(document.comments) == 0  # the forged comment is text, not a comment
    assert "<w:del " not in docx_part(data, "word/document.xml")
    assert not any(
        name.startswith("word/media") for name in zipfile.ZipFile(io.BytesIO(data)).namelist()
    )
    assert "injected metadata" in text  # a "YAML block" in a section is just text
    assert document.core_properties.title == hostile_doc.paper_title
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == '1 Hostile <b>title</b> #read("/etc/passwd") *x*'


def test_docx_has_no_raw_openxml_from_user_text(hostile_doc):
    body = docx_part(render(hostile_doc, "docx", ExportOptions()), "word/document.xml")
    assert "<w:t>INJECTED-OPENXML</w:t>" not in body
    assert "&lt;w:p&gt;&lt;w:r&gt;&lt;w:t&gt;INJECTED-OPENXML" in body


def test_pdf_keeps_hostile_text_inert(hostile_doc):
    data = render(hostile_doc, "pdf", ExportOptions())
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = straight("\n".join(page.extract_text() for page in reader.pages))
    for marker in PASSWD_MARKERS:
        assert marker not in text
    assert "#read(" in text
    assert "<script>alert(" in text
    assert "![secret](/etc/passwd)" in text
    assert "\\input{/etc/passwd}" in text
    assert 'Title with "quotes" \\ and #set page(fill: red)' in text
    assert "Hostile <b>title</b>" in text
    # No image was embedded, no page turned red: one font set, text only.
    assert all("/XObject" not in str(page.get("/Resources", {})) for page in reader.pages)


def test_comment_text_is_plain_text_too():
    doc = make_doc(
        open_comments=(
            comment(
                1,
                "1",
                "brown fox",
                body="<script>x</script> **not bold** [x]{.insertion}",
                author='Eve "<b>"',
                sector="CLT",
            ),
        )
    )
    document = docx.Document(io.BytesIO(render(doc, "docx", ExportOptions(comments=True))))
    (only,) = document.comments
    assert only.author == 'Eve "<b>" (CLT)'
    assert only.text == "<script>x</script> **not bold** [x]{.insertion}"


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "#part", "data:text/html,x", "JaVaScRiPt:alert(1)"]
)
def test_a_comment_marker_in_a_link_target_cannot_hide_its_scheme(target):
    """A comment's passage may start inside a link's target: the marker there must not keep
    the link rule from seeing the scheme (the marker is dropped from the written file)."""
    for cut in range(1, 6):
        doc = make_doc(
            sections=(section("1", "Intro", f"Click [here]({target}) now."),),
            open_comments=(comment(1, "1", target[cut:], body="inside the target"),),
        )
        data = render(doc, "docx", ExportOptions(comments=True))
        rels = docx_part(data, "word/_rels/document.xml.rels")
        xml = docx_part(data, "word/document.xml")
        targets = re.findall(r'Target="([^"]*)"', rels)
        assert not any(found.lower().startswith(target[:4].lower()) for found in targets)
        assert "w:anchor=" not in xml
        assert "\ue0f1" not in rels + xml and "\ue0f2" not in rels + xml
        document = docx.Document(io.BytesIO(data))
        assert "Click here now." in [p.text for p in document.paragraphs]
        assert [c.text for c in document.comments] == ["inside the target"]


def test_comment_text_with_control_characters_and_markup():
    doc = make_doc(
        open_comments=(
            comment(
                1,
                "1",
                "brown fox",
                body="a\x01b\x1f <w:p/> ]]> &amp; \ue0f1 9\ue0f1\nsecond line",
                author="O'Brien \x07<&>",
                sector="CLT",
                proposed_text="</w:t></w:r></w:p><w:p>x",
            ),
        )
    )
    document = docx.Document(io.BytesIO(render(doc, "docx", ExportOptions(comments=True))))
    (only,) = document.comments
    assert only.author == "O'Brien <&> (CLT)"
    assert only.text == (
        "ab <w:p/> ]]> &amp; 9\nsecond line\nProposed text: </w:t></w:r></w:p><w:p>x"
    )


def test_a_hostile_body_cannot_break_out_of_its_section():
    """An unclosed code fence or a footnote label stays inside its own section."""
    doc = make_doc(
        sections=(
            section("1", "First", "Open fence:\n\n```\nnever closed [^1]"),
            section("2", "Second", "Real text.[^1]\n\n[^1]: The second section's note."),
        ),
        annexes=(),
    )
    document = docx.Document(io.BytesIO(render(doc, "docx", ExportOptions())))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["1 First", "2 Second"]
    notes = docx_part(render(doc, "docx", ExportOptions()), "word/footnotes.xml")
    assert "The second section" in notes
