"""DOCX export, read back with python-docx and from the package's XML."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from xml.etree import ElementTree

import docx
import pytest

from app.export import ExportOptions, render
from tests.export.builders import SIGNOFFS, comment, docx_part, make_doc, section


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def header_text(document) -> str:
    return "\n".join(p.text for p in document.sections[0].header.paragraphs)


@pytest.fixture(scope="module")
def draft_docx() -> bytes:
    return render(make_doc(), "docx", ExportOptions(toc=True))


@pytest.fixture(scope="module")
def signed_docx() -> bytes:
    return render(make_doc(signed_off=True), "docx", ExportOptions())


def test_headings_are_the_sections_in_order_then_the_annexes(draft_docx):
    document = open_docx(draft_docx)
    assert headings(document) == [
        "1 Introduction",
        "1.1 Scope",
        "2 Challenges",
        "2.1 Intellectual property",
        "3 Priority axes",
        "Annex A: Alignment matrix",
    ]
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["1 Introduction"] == "Heading 1"
    assert styles["1.1 Scope"] == "Heading 2"
    assert styles["Artificial intelligence and culture"] == "Title"


def test_title_and_text_come_through(draft_docx):
    document = open_docx(draft_docx)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "The quick brown fox jumps over the lazy dog." in text
    assert "v0.3" in text
    assert document.core_properties.title == "Artificial intelligence and culture"
    assert [[c.text for c in row.cells] for row in document.tables[-1].rows] == [
        ["Item", "Status"],
        ["P1", "aligned"],
    ]
    assert "TOC \\o" in docx_part(draft_docx, "word/document.xml")


def test_draft_mark_in_the_header_of_a_draft_only(draft_docx, signed_docx):
    assert "DRAFT" in header_text(open_docx(draft_docx))
    assert "Artificial intelligence and culture" in header_text(open_docx(draft_docx))
    assert "DRAFT" not in header_text(open_docx(signed_docx))
    assert "Artificial intelligence and culture" in header_text(open_docx(signed_docx))
    assert "DRAFT" not in docx_part(signed_docx, "word/document.xml")


def test_footer_has_version_label_short_hash_and_page_numbers(draft_docx):
    doc = make_doc()
    footer = docx_part(draft_docx, "word/footer1.xml")
    assert "v0.3" in footer and doc.version_sha256[:12] in footer
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert "PLUME" not in footer and "PLUME" not in docx_part(draft_docx, "word/header1.xml")


def test_signed_version_has_a_sign_off_table_with_a_row_per_signatory(signed_docx):
    document = open_docx(signed_docx)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Signatory")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Signatory", "Sector", "Position", "Date"]
    assert rows[1:] == [
        ["Ernesto Ottone", "CLT", "Approve", "2025-03-20"],
        ["Gabriela Ramos", "SHS", "No objection", "2025-03-21"],
        ["Legal Affairs", "LA", "no record", ""],
    ]
    assert make_doc().version_sha256 in "\n".join(p.text for p in document.paragraphs)
    assert headings(document)[0] == "Sign-off"


def test_a_draft_has_no_sign_off_page(draft_docx):
    document = open_docx(draft_docx)
    assert "Sign-off" not in headings(document)
    assert all(t.rows[0].cells[0].text != "Signatory" for t in document.tables)


def test_a_reason_column_appears_when_a_signatory_gave_one():
    rows = (*SIGNOFFS[:2], replace(SIGNOFFS[2], position="abstain", reason="Outside our mandate"))
    data = render(make_doc(signed_off=True, signoffs=rows), "docx", ExportOptions())
    table = open_docx(data).tables[0]
    assert table.rows[0].cells[4].text == "Reason"
    assert table.rows[3].cells[2].text == "Abstain"
    assert table.rows[3].cells[4].text == "Outside our mandate"


def test_same_document_and_options_give_the_same_bytes(tmp_path):
    doc = make_doc()
    options = ExportOptions(toc=True, comments=True)
    first = render(doc, "docx", options)
    assert render(doc, "docx", options) == first
    # From a cache, cold or warm, still the same bytes.
    assert render(doc, "docx", options, tmp_path) == first
    assert render(doc, "docx", options, tmp_path) == first


def test_comments_become_native_word_comments_on_their_passages():
    doc = make_doc(
        open_comments=(
            comment(1, "1", "brown fox", prefix="The quick ", suffix=" jumps", body="Too animal."),
            comment(
                2,
                "2",
                None,
                author="Kofi Mensah",
                sector="SHS",
                body="Say more about bias.",
                proposed_text="Algorithmic bias",
            ),
            comment(3, "1.1", "creative industries", author="Li Wei", sector="CI"),
        )
    )
    data = render(doc, "docx", ExportOptions(comments=True))
    found = {(c.author, c.text) for c in open_docx(data).comments}
    assert found == {
        ("Amina Diallo (CLT)", "Too animal."),
        ("Kofi Mensah (SHS)", "Say more about bias.\nProposed text: Algorithmic bias"),
        ("Li Wei (CI)", "Please reword."),
    }
    # Each comment's range covers its passage (the heading for a whole-section comment).
    body = docx_part(data, "word/document.xml")
    ranges = {}
    for match in re.finditer(
        r'<w:commentRangeStart w:id="(\d+)" />(.*?)<w:commentRangeEnd w:id="\1" />', body
    ):
        ranges[match.group(1)] = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", match.group(2)))
    assert sorted(ranges.values()) == ["2 Challenges", "brown fox", "creative industries"]


def test_comments_are_not_added_unless_asked():
    doc = make_doc(open_comments=(comment(1, "1", "brown fox"),))
    assert len(open_docx(render(doc, "docx", ExportOptions())).comments) == 0


def test_a_comment_whose_passage_is_gone_is_kept_on_the_heading():
    doc = make_doc(open_comments=(comment(1, "2.1", "text that is not there"),))
    data = render(doc, "docx", ExportOptions(comments=True))
    assert [c.text for c in open_docx(data).comments] == ["Please reword."]
    start = r'<w:commentRangeStart w:id="\d+" /><w:r><w:t xml:space="preserve">'
    assert re.search(start + "2.1 Intellectual property", docx_part(data, "word/document.xml"))


def test_comments_whose_passage_falls_into_code_or_a_link_target_go_on_the_heading():
    """Word comments are marked in the Markdown (plain markers, made comments on the written
    piece): a marker that lands in code, a fenced block or a link target leaves no trace there,
    and its comment is on the heading."""
    body = (
        "Words before `code with fox inside` and a [link to fox](https://example.org/fox).\n\n"
        "Escaped \\\\fox and \\*star\\* then end.\n\n```\nfenced fox block\n```\n\n"
        "Last *emph fox* words."
    )
    doc = make_doc(
        sections=(section("1", "Intro", body),),
        open_comments=(
            comment(1, "1", "code with fox", body="in code"),
            comment(2, "1", "https://example.org/fox", body="in target"),
            comment(3, "1", "fenced fox", body="in fence"),
            comment(4, "1", "inside` and a", body="half in code"),
            comment(5, "1", "link to fox", body="link text"),
            comment(6, "1", "fox and", prefix="Escaped \\\\", body="after a backslash"),
            comment(7, "1", "emph fox", body="in emphasis"),
        ),
    )
    data = render(doc, "docx", ExportOptions(comments=True))
    document = open_docx(data)
    assert len(document.comments) == 7
    xml = docx_part(data, "word/document.xml")
    ranges = {}
    for match in re.finditer(
        r'<w:commentRangeStart w:id="(\d+)" />(.*?)<w:commentRangeEnd w:id="\1" />', xml
    ):
        ranges[match.group(1)] = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", match.group(2)))
    # (The innermost of the heading's four ranges is found too.)
    assert sorted(ranges.values()) == ["1 Intro", "\\fox and", "emph fox", "link to fox"]
    assert xml.count("<w:commentRangeStart ") == xml.count("<w:commentRangeEnd ") == 7
    # The four others wrap the heading, one inside the other.
    assert re.search(r'(<w:commentRangeStart w:id="\d+" />){4}<w:r><w:t[^>]*>1 Intro', xml)
    texts = [p.text for p in document.paragraphs]
    assert "Words before code with fox inside and a link to fox." in texts
    assert "Escaped \\fox and *star* then end." in texts
    assert "fenced fox block" in texts
    rels = docx_part(data, "word/_rels/document.xml.rels")
    assert 'Target="https://example.org/fox"' in rels
    assert not any(mark in xml + rels for mark in ("\ue0f1", "\ue0f2", "\ue0f4", "![", "]()"))


def test_a_comment_on_a_footnote_goes_on_the_heading_and_leaves_the_note_clean():
    """A footnote is written apart from the text: a comment's range cannot go there, so the
    comment is on the heading, and the note shows no trace of the markers."""
    doc = make_doc(open_comments=(comment(1, "2", "A note", body="in a note"),))
    data = render(doc, "docx", ExportOptions(comments=True))
    assert [c.text for c in open_docx(data).comments] == ["in a note"]
    start = r'<w:commentRangeStart w:id="\d+" /><w:r><w:t xml:space="preserve">'
    assert re.search(start + "2 Challenges", docx_part(data, "word/document.xml"))
    notes = docx_part(data, "word/footnotes.xml")
    assert "A note." in notes
    assert not any(mark in notes for mark in ("\ue0f1", "\ue0f2", "commentRange"))


def test_comments_in_bold_in_a_table_and_over_two_paragraphs():
    body = (
        "First **bold words here** end.\n\n| Axis | Lead |\n|---|---|\n| Heritage | CLT |\n\n"
        "Span starts here\n\nand ends there."
    )
    doc = make_doc(
        sections=(section("1", "Intro", body),),
        open_comments=(
            comment(1, "1", "words here", body="bold"),
            comment(2, "1", "Heritage", body="cell"),
            comment(3, "1", "here\n\nand ends", body="two paragraphs"),
        ),
    )
    data = render(doc, "docx", ExportOptions(comments=True))
    assert sorted(c.text for c in open_docx(data).comments) == ["bold", "cell", "two paragraphs"]
    xml = docx_part(data, "word/document.xml")
    ranges = {}
    for match in re.finditer(
        r'<w:commentRangeStart w:id="(\d+)" />(.*?)<w:commentRangeEnd w:id="\1" />', xml, re.S
    ):
        ranges[match.group(1)] = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", match.group(2)))
    assert sorted(ranges.values()) == ["Heritage", "hereand ends", "words here"]
    # The bold run is cut at the range, each part still bold.
    assert re.search(r"<w:b />.*?>bold </w:t></w:r><w:commentRangeStart", xml)
    assert re.search(r'<w:b /><w:bCs /></w:rPr><w:t xml:space="preserve">words here</w:t>', xml)
    texts = [p.text for p in open_docx(data).paragraphs]
    assert "First bold words here end." in texts
    assert "Span starts here" in texts and "and ends there." in texts


def test_redline_marks_exactly_the_changed_words_as_tracked_changes():
    earlier = make_doc(version_label="v0.2")
    sections = list(earlier.sections)
    sections[0] = section(
        "1",
        "Introduction",
        "Artificial intelligence is changing how culture is made and shared.\n\n"
        "The slow brown fox leaps over the lazy dog.",
    )
    later = make_doc(sections=tuple(sections), frozen_at=datetime(2025, 4, 1, tzinfo=UTC))
    data = render(later, "docx", ExportOptions(redline_against=earlier))
    body = docx_part(data, "word/document.xml")
    inserted = [
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", m))
        for m in re.findall(r"<w:ins [^>]*>(.*?)</w:ins>", body)
    ]
    deleted = [
        "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", m))
        for m in re.findall(r"<w:del [^>]*>(.*?)</w:del>", body)
    ]
    assert inserted == ["slow", "leaps"]
    assert deleted == ["quick", "jumps"]
    # Accepting the changes gives the new text; rejecting them, the old one.
    paragraph = next(p for p in re.findall(r"<w:p>.*?</w:p>", body) if "brown fox" in p)
    shown = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", paragraph))
    assert shown == "The slow brown fox leaps over the lazy dog."
    kept = re.sub(r"<w:ins .*?</w:ins>", "", paragraph).replace("w:delText", "w:t")
    assert "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", kept)) == (
        "The quick brown fox jumps over the lazy dog."
    )
    assert 'w:author="Changes since v0.2"' in body
    assert 'w:date="2025-04-01T00:00:00Z"' in body
    # The other sections did not change: no tracked change there.
    assert body.count("<w:ins ") == 2 and body.count("<w:del ") == 2


def test_redline_marks_added_and_removed_sections():
    earlier = make_doc(version_label="v0.2")
    later = make_doc(
        sections=(
            *earlier.sections[:3],
            earlier.sections[4],
            section("4", "Next steps", "Act now."),
        )
    )
    body = docx_part(
        render(later, "docx", ExportOptions(redline_against=earlier)), "word/document.xml"
    )
    deleted = "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", body))
    inserted = "".join(
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", m))
        for m in re.findall(r"<w:ins [^>]*>(.*?)</w:ins>", body)
    )
    assert "2.1 Intellectual property" in deleted and "Who owns a work" in deleted
    assert "4 Next steps" in inserted and "Act now." in inserted
    # The deleted section stays where it was, between 2 and 3.
    assert body.index("Who owns") < body.index("Priority axes")


def test_comments_and_redline_together():
    earlier = make_doc(version_label="v0.2")
    sections = list(earlier.sections)
    sections[0] = section("1", "Introduction", "The quick red fox jumps over the lazy dog.")
    later = make_doc(
        sections=tuple(sections),
        open_comments=(comment(1, "1", "lazy dog", prefix="over the "),),
    )
    data = render(later, "docx", ExportOptions(comments=True, redline_against=earlier))
    assert [c.text for c in open_docx(data).comments] == ["Please reword."]
    body = docx_part(data, "word/document.xml")
    assert "<w:ins " in body and "<w:del " in body


def test_french_accents_and_typographic_quotes_survive():
    doc = make_doc(
        language="fr",
        paper_title="L’intelligence artificielle et la culture",
        sections=(
            section("1", "Préambule", "« L’été dernier », dit-elle, “c’était déjà l’IA”. Œuvres."),
        ),
        annexes=(),
        signed_off=True,
    )
    document = open_docx(render(doc, "docx", ExportOptions()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "« L’été dernier », dit-elle, “c’était déjà l’IA”. Œuvres." in text
    assert "1 Préambule" in headings(document)
    assert "Approbation" in headings(document)
    assert "PROJET" not in header_text(document)
    assert document.tables[0].rows[0].cells[0].text == "Signataire"


def test_every_id_in_the_assembled_document_is_consistent():
    """Footnotes, lists, links and comments of many sections: every reference resolves."""
    doc = make_doc(open_comments=(comment(1, "1", "brown fox"), comment(2, "2", "Bias")))
    data = render(doc, "docx", ExportOptions(comments=True))
    body = docx_part(data, "word/document.xml")
    notes = docx_part(data, "word/footnotes.xml")
    numbering = docx_part(data, "word/numbering.xml")
    rels = docx_part(data, "word/_rels/document.xml.rels")
    comments = docx_part(data, "word/comments.xml")
    for note in re.findall(r'<w:footnoteReference w:id="(\d+)"', body):
        assert f'<w:footnote w:id="{note}">' in notes
    for num in re.findall(r'<w:numId w:val="(\d+)"', body):
        assert f'<w:num w:numId="{num}">' in numbering
    for rel in re.findall(r'r:id="([^"]+)"', body):
        assert f'Id="{rel}"' in rels
    for cid in re.findall(r'<w:commentReference w:id="(\d+)"', body):
        assert f'<w:comment w:id="{cid}"' in comments
    assert "\x01" not in body + notes + numbering + rels + comments
    assert "https://www.unesco.org/" in rels


def test_every_part_is_well_formed_and_annotation_ids_are_unique():
    earlier = make_doc(version_label="v0.2")
    later = make_doc(
        sections=(section("1", "Intro", "New words here."), *earlier.sections[1:]),
        open_comments=(comment(1, "1", "New words"), comment(2, "2.1", None)),
    )
    data = render(later, "docx", ExportOptions(comments=True, redline_against=earlier, toc=True))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # raises if not well-formed
            assert archive.getinfo(name).date_time == (2025, 3, 14, 9, 30, 0)
    body = docx_part(data, "word/document.xml")
    changes = re.findall(r'<w:(?:ins|del) w:id="(\d+)"', body)
    bookmarks = re.findall(r'<w:bookmarkStart w:id="(\d+)"', body)
    commented = set(re.findall(r'<w:commentRangeStart w:id="(\d+)"', body))
    annotations = changes + bookmarks + sorted(commented)
    assert changes and commented
    assert len(annotations) == len(set(annotations))
