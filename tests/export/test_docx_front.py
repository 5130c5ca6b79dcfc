"""What a Word file shows before anyone updates a field: the contents, the file's properties."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import docx

from app.export import ExportOptions, render
from tests.export.builders import FROZEN, docx_part, make_doc

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_the_table_of_contents_lists_every_heading_as_a_link_and_stays_dirty():
    data = render(make_doc(), "docx", ExportOptions(toc=True))
    xml = docx_part(data, "word/document.xml")
    root = ElementTree.fromstring(xml)
    (toc,) = root.iter(f"{W}sdt")
    links = [
        ("".join(t.text or "" for t in link.iter(f"{W}t")), link.get(f"{W}anchor"))
        for link in toc.iter(f"{W}hyperlink")
    ]
    assert [text for text, _ in links] == [
        "1 Introduction",
        "1.1 Scope",
        "2 Challenges",
        "2.1 Intellectual property",
        "3 Priority axes",
        "Annex A: Alignment matrix",
    ]
    bookmarks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    assert all(anchor in bookmarks for _, anchor in links)
    begin = next(c for c in toc.iter(f"{W}fldChar") if c.get(f"{W}fldCharType") == "begin")
    assert begin.get(f"{W}dirty") == "true"
    kinds = [c.get(f"{W}fldCharType") for c in toc.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]
    used = [s.get(f"{W}val") for s in toc.iter(f"{W}pStyle")]
    assert used[1:4] == ["TOC1", "TOC2", "TOC1"]  # after the "Contents" heading
    styles = docx.Document(io.BytesIO(data)).styles
    assert styles["toc 2"].paragraph_format.left_indent > 0


def test_the_notice_is_on_the_cover_before_the_contents():
    xml = docx_part(render(make_doc(), "docx", ExportOptions(toc=True)), "word/document.xml")
    assert xml.index("Draft: this version has not been signed off.") < xml.index("<w:sdt>")


def test_core_properties_come_from_the_version():
    doc = make_doc(
        authors=("Ana Ruiz", "Jean <Dupont>"),
        subject="AI in the cultural sector",
        keywords=("REC2021", "CONV2005"),
        language="fr",
    )
    core = docx_part(render(doc, "docx"), "docProps/core.xml")
    assert "<dc:title>Artificial intelligence and culture</dc:title>" in core
    assert "<dc:creator>Ana Ruiz; Jean &lt;Dupont&gt;</dc:creator>" in core
    assert "<dc:subject>AI in the cultural sector</dc:subject>" in core
    assert "<cp:keywords>REC2021, CONV2005</cp:keywords>" in core
    assert "<dc:language>fr-FR</dc:language>" in core
    stamp = FROZEN.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>' in core
    assert f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>' in core
    assert "1970" not in core
    properties = docx.Document(io.BytesIO(render(doc, "docx"))).core_properties
    assert properties.created == FROZEN
    assert properties.author == "Ana Ruiz; Jean <Dupont>"


def test_app_properties_hold_no_leftovers_of_the_reference_document():
    app = docx_part(render(make_doc(), "docx"), "docProps/app.xml")
    assert "<Application>Plume</Application>" in app
    for leftover in ("Microsoft", "12.0", "<Words>", "<Pages>", "Normal.dotm", "TotalTime"):
        assert leftover not in app
    assert re.search(r"<Characters>|<Lines>", app) is None


def test_user_headings_go_below_their_section_without_skipping_a_level():
    from tests.export.builders import section

    body = "### Museums\n\nText.\n\n#### Archives\n\nMore.\n\n# Back up\n\nEnd."
    doc = make_doc(sections=(section("1", "One", "Intro."), section("1.1", "Scope", body)))
    document = docx.Document(io.BytesIO(render(doc, "docx")))
    levels = [
        (p.text, p.style.name)
        for p in document.paragraphs
        if p.style.name.startswith("Heading") and not p.text.startswith("Annex")
    ]
    assert levels == [
        ("1 One", "Heading 1"),
        ("1.1 Scope", "Heading 2"),
        ("Museums", "Heading 3"),
        ("Archives", "Heading 4"),
        ("Back up", "Heading 3"),
    ]


def test_french_labels_put_a_narrow_no_break_space_before_double_punctuation():
    import re as regex

    from app.export.labels import labels
    from tests.export.builders import comment, section

    for key, value in labels("fr").items():
        assert not regex.search(r"(^|[^\u202f\u00a0]):|[^\u202f];|[^\u202f][!?]", value), key
    user_title = "Culture: what AI changes"  # a user's text stays as typed
    doc = make_doc(
        language="fr",
        signed_off=True,
        sections=(section("1", user_title, "Le texte."),),
        open_comments=(comment(1, "1", "Le texte", proposed_text="Un texte"),),
    )
    data = render(doc, "docx", ExportOptions(comments=True))
    xml = docx_part(data, "word/document.xml")
    assert "SHA-256 de la version\u202f:" in xml
    assert "Annexe A\u202f: Alignment matrix" in xml
    assert "1 Culture: what AI changes" in xml
    assert "Texte proposé\u202f:" in docx_part(data, "word/comments.xml")
    pdf = render(doc, "pdf")
    from tests.export.layout import read

    text = "\n".join(page["text"] for page in read(pdf))
    assert "SHA-256 de la version\u202f:" in text or "SHA-256 de la version :" in text
    assert "version:" not in text


def test_the_landscape_annexes_have_their_page_number_at_their_own_right_margin():
    document = docx.Document(io.BytesIO(render(make_doc(signed_off=False), "docx")))
    portrait, landscape = document.sections
    for section in (portrait, landscape):
        text_width = section.page_width - section.left_margin - section.right_margin
        for part in (section.header, section.footer):
            (stop,) = part.paragraphs[0].paragraph_format.tab_stops
            assert abs(stop.position - text_width) < 20, (stop.position, text_width)
    assert landscape.footer.paragraphs[0].text == portrait.footer.paragraphs[0].text
    assert "DRAFT" in landscape.header.paragraphs[0].text
