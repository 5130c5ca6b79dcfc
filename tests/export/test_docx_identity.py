"""Every Word export says where it comes from: custom properties and a bookmark per section."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from app.export import ExportOptions, render
from tests.export.builders import comment, docx_part, make_doc

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def custom_properties(data: bytes) -> dict[str, str]:
    root = etree.fromstring(docx_part(data, "docProps/custom.xml").encode())
    return {prop.get("name"): "".join(prop.itertext()) for prop in root}


def bookmarked_text(data: bytes) -> dict[str, str]:
    """The text between each bookmark's start and end, by bookmark name."""
    root = etree.fromstring(docx_part(data, "word/document.xml").encode())
    open_marks: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    for element in root.iter():
        if element.tag == f"{W}bookmarkStart":
            open_marks[element.get(f"{W}id")] = element.get(f"{W}name")
            texts[element.get(f"{W}name")] = []
        elif element.tag == f"{W}bookmarkEnd":
            open_marks.pop(element.get(f"{W}id"), None)
        elif element.tag == f"{W}t":
            for name in open_marks.values():
                texts[name].append(element.text or "")
    return {name: "".join(parts) for name, parts in texts.items()}


def test_a_word_export_names_its_paper_version_hash_and_export():
    doc = replace(make_doc(), paper_id=7, version_id=31)
    data = render(doc, "docx", ExportOptions())
    props = custom_properties(data)
    assert props["PlumePaperId"] == "7"
    assert props["PlumeVersionId"] == "31"
    assert props["PlumeVersionSha256"] == doc.version_sha256
    assert len(props["PlumeExportId"]) == 16
    # The export id is a fingerprint of the rendering: the same version and options give the
    # same bytes (and id); other options give another id.
    assert render(doc, "docx", ExportOptions()) == data
    other = custom_properties(render(doc, "docx", ExportOptions(toc=True)))
    assert other["PlumeExportId"] != props["PlumeExportId"]
    assert other["PlumeVersionId"] == "31"


def test_each_section_is_inside_its_own_bookmark():
    doc = replace(make_doc(), paper_id=7, version_id=31)
    marked = bookmarked_text(render(doc, "docx", ExportOptions()))
    assert sorted(marked) == ["plume-s1", "plume-s1.1", "plume-s2", "plume-s2.1", "plume-s3"]
    assert marked["plume-s1"].startswith("1 Introduction")
    assert marked["plume-s1"].endswith("The quick brown fox jumps over the lazy dog.")
    assert "covers museums" in marked["plume-s1.1"]
    assert "covers museums" not in marked["plume-s1"]
    assert marked["plume-s3"].startswith("3 Priority axes") and "Ethics" in marked["plume-s3"]
    # Each start sits after its paragraph's properties, where the schema (and Word) want it.
    xml = docx_part(render(doc, "docx", ExportOptions()), "word/document.xml")
    root = etree.fromstring(xml.encode("utf-8"))
    for mark in root.iter(f"{W}bookmarkStart"):
        assert all(sibling.tag != f"{W}pPr" for sibling in mark.itersiblings()), mark.get(
            f"{W}name"
        )


def test_bookmarks_survive_comments_and_keep_ids_unique():
    doc = replace(
        make_doc(),
        paper_id=7,
        version_id=31,
        open_comments=(comment(5, "1", "quick brown fox"), comment(6, "2", None)),
    )
    data = render(doc, "docx", ExportOptions(comments=True))
    root = etree.fromstring(docx_part(data, "word/document.xml").encode())
    ids = [mark.get(f"{W}id") for mark in root.iter(f"{W}bookmarkStart")]
    comment_ids = [mark.get(f"{W}id") for mark in root.iter(f"{W}commentRangeStart")]
    assert len(ids) == len(set(ids)) == 5
    assert not set(ids) & set(comment_ids)
    assert "quick brown fox" in bookmarked_text(data)["plume-s1"]
