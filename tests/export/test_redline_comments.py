"""Comments and tracked changes together: a comment's range never changes what was changed."""

from __future__ import annotations

import re

from app.export import ExportOptions, render
from tests.export.builders import comment, docx_part, make_doc, section

OLD = "Results so far:\n\n- The pilot went good, overall.\n- Museums joined."
NEW = "Results so far:\n\n- The pilot went well, overall, and fast.\n- Museums joined early."


def changes(data: bytes) -> tuple[list[str], list[str]]:
    body = docx_part(data, "word/document.xml")
    inserted = [
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", m))
        for m in re.findall(r"<w:ins [^>]*>(.*?)</w:ins>", body)
    ]
    deleted = [
        "".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", m))
        for m in re.findall(r"<w:del [^>]*>(.*?)</w:del>", body)
    ]
    return inserted, deleted


def test_tracked_changes_are_the_same_with_and_without_comments():
    earlier = make_doc(version_label="v0.2", sections=(section("1", "Results", OLD),))
    notes = (
        # Ends inside the edited bullet, right before a comma ("overall,"), and one ends mid-word.
        comment(1, "1", "The pilot went well, overall", suffix=", and fast"),
        comment(2, "1", "went we", prefix="pilot ", suffix="ll, overall"),
        comment(3, "1", "joined ear", prefix="Museums ", suffix="ly."),
    )
    later = make_doc(sections=(section("1", "Results", NEW),), open_comments=notes)
    plain = changes(render(later, "docx", ExportOptions(redline_against=earlier)))
    with_comments = render(later, "docx", ExportOptions(comments=True, redline_against=earlier))
    inserted, deleted = changes(with_comments)
    # The same words inserted and deleted (a range's end may cut one insertion in two pieces).
    assert ("".join(inserted), deleted) == ("".join(plain[0]), plain[1])
    assert "good," in plain[1] and "well," in plain[0]
    ranges = docx_part(with_comments, "word/document.xml")
    assert ranges.count("<w:commentRangeStart ") == 3
    # No range starts or ends inside a word: next to each boundary, within its paragraph, is a
    # space or the paragraph's edge.
    text = r"<w:t[^>]*>([^<]*)</w:t>"  # the text as it now reads
    for paragraph in re.findall(r"<w:p>.*?</w:p>", ranges):
        for boundary in re.finditer(r"<w:commentRange(?:Start|End) [^>]*/>", paragraph):
            left = "".join(re.findall(text, paragraph[: boundary.start()]))
            right = "".join(re.findall(text, paragraph[boundary.end() :]))
            assert not left or not right or left[-1].isspace() or right[0].isspace(), (
                left,
                right,
            )
