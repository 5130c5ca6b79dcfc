"""One rule for links (app/text/links.py): the web page and every export keep http, https,
mailto and relative links, and drop every other scheme."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf

from app.export import ExportOptions, render
from app.text.links import SAFE_SCHEMES, is_safe_url, may_hold_unsafe_link
from tests.export.builders import comment, docx_part, make_doc, section

BODY = (
    "Read [the Recommendation](https://www.unesco.org/) or [write](mailto:clt@unesco.org).\n\n"
    "Do not [click](javascript:alert(1)), nor [this](JavaScript:alert(2)), nor "
    "[that](java&#115;cript:alert(3)), nor <vbscript:msgbox(4)>, nor [data][d].\n\n"
    "[d]: data:text/html;base64,PHNjcmlwdD4=\n"
)


def test_the_rule():
    assert {"http", "https", "mailto"} == SAFE_SCHEMES
    for url in ("https://x.org", "HTTP://x.org", "mailto:a@b.org", "#part", "notes/a.html"):
        assert is_safe_url(url), url
    for url in ("javascript:alert(1)", " JavaScript:x", "data:text/html,x", "file:///etc/passwd"):
        assert not is_safe_url(url), url
    assert may_hold_unsafe_link(BODY)
    assert not may_hold_unsafe_link("See [this](https://x.org) and note: nothing else.")


def test_the_export_filter_and_the_web_page_use_the_same_schemes():
    from app.web.render import URL_SCHEMES

    lua = (Path(__file__).parents[2] / "app/export/sanitize_inlines.lua").read_text()
    listed = re.search(r"local SAFE = \{([^}]*)\}", lua).group(1)
    assert {name.split("=")[0].strip() for name in listed.split(",")} == SAFE_SCHEMES
    assert URL_SCHEMES == SAFE_SCHEMES


def _doc():
    return make_doc(
        sections=(section("1", "Links", BODY),),
        open_comments=(comment(1, "1", "Read"),),
    )


def test_unsafe_links_are_not_in_the_word_file():
    for options in (ExportOptions(), ExportOptions(comments=True)):
        data = render(_doc(), "docx", options)
        rels = docx_part(data, "word/_rels/document.xml.rels")
        assert "https://www.unesco.org/" in rels and "mailto:clt@unesco.org" in rels
        for scheme in ("javascript", "vbscript", "data:"):
            assert scheme not in rels.lower()
        assert "click" in docx_part(data, "word/document.xml")  # the text stays


def test_unsafe_links_are_not_in_the_pdf():
    reader = pypdf.PdfReader(io.BytesIO(render(_doc(), "pdf")))
    targets = [
        annotation.get_object()["/A"].get("/URI")
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]
    assert "https://www.unesco.org/" in targets
    assert all(str(t).startswith(("https:", "mailto:")) for t in targets if t), targets


def test_the_markdown_export_escapes_the_title():
    doc = make_doc(paper_title="[Click](javascript:alert(1)) <b>bold</b> # not a heading")
    text = render(doc, "md").decode()
    first = text.splitlines()[0]
    assert first == ("# \\[Click\\](javascript:alert(1)) \\<b\\>bold\\</b\\> \\# not a heading")


def test_the_markdown_export_drops_unsafe_links_and_keeps_the_rest_as_typed():
    plain = "Plain *text* with [a safe link](https://x.org/?a=1) stays as typed."
    doc = make_doc(
        sections=(
            section("1", "Links", BODY + "\n## Below\n\nA note.[^n]\n\n[^n]: The note."),
            section("2", "Plain", plain),
        )
    )
    text = render(doc, "md").decode()
    # No link (inline, reference or autolink) keeps an unsafe target; what was one is text.
    destinations = re.findall(
        r"\]\(\s*<?([^)\s>]*)|^ {0,3}\[[^\]]+\]:\s*<?(\S*)|<([^<>\s]*)>", text, re.M
    )
    kept = [next(part for part in found if part) for found in destinations]
    assert kept and all(is_safe_url(url) for url in kept), kept
    for scheme in ("javascript", "data:text", "java&#115;cript"):
        assert scheme not in text.lower(), scheme
    # The words stay; the safe links keep their targets; the footnote stays with its text.
    for words in ("click", "this", "that", "data", "A note.[^1]", "[^1]: The note."):
        assert words in text, words
    assert "[the Recommendation](https://www.unesco.org/)" in text
    assert "[write](mailto:clt@unesco.org)" in text
    # The section's own heading goes below the section's (## 1 Links), never beside it.
    assert "\n## 1 Links\n" in text and "\n### Below\n" in text
    # A body without an unsafe link is not rewritten.
    assert f"## 2 Plain\n\n{plain}\n" in text
    assert render(doc, "md") == render(doc, "md")


def test_a_link_to_an_anchor_becomes_its_text_and_the_pdf_still_compiles():
    # No anchor of a section's text exists in the assembled document; typst refused the
    # link to a missing label, and with it the whole PDF.
    body = "See [the part](#part) and [the notes](notes/a.html) and [the site](https://x.org)."
    doc = make_doc(sections=(section("1", "Links", body),))
    assert may_hold_unsafe_link(body)

    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(render(doc, "pdf"))).pages
    )
    assert "See the part and the notes and the site." in " ".join(text.split())
    xml = docx_part(render(doc, "docx"), "word/document.xml")
    assert "the part" in xml and 'w:anchor="part"' not in xml
    markdown = render(doc, "md").decode()
    assert "See the part and [the notes](notes/a.html) and [the site](https://x.org)." in markdown
