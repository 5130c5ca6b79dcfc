"""Annex A (alignment) and Annex B (comments) built from value objects, as Markdown."""

from __future__ import annotations

from datetime import UTC, datetime

from app.export.annexes import (
    AlignmentEntry,
    AnnexFramework,
    AnnexItem,
    CommentEntry,
    alignment_annex,
    comment_annex,
)

REC = AnnexFramework(
    "REC2021",
    "Recommendation on the Ethics of Artificial Intelligence",
    (
        AnnexItem("REC2021.P6", "Human oversight and determination"),
        AnnexItem("REC2021.P7", "Fairness and non-discrimination"),
        AnnexItem("REC2021.P8", "Sustainability"),
    ),
)


def entry(section, item, status, rationale="Because.", quote=None, title="Heritage"):
    return AlignmentEntry(
        section, title if section else "", f"REC2021.{item}", status, rationale, quote
    )


def test_items_are_rows_with_code_and_title_and_sections_are_columns_when_few():
    annex = alignment_annex(
        [REC],
        [entry("2", "P7", "aligned"), entry("3", "P7", "conflict"), entry(None, "P6", "gap")],
        "en",
    )
    lines = annex.markdown.splitlines()
    head = next(line for line in lines if line.startswith("| Item"))
    assert head == "| Item | Whole paper | 2 | 3 |"
    assert "| P6 — Human oversight and determination | G \\[1\\] | — | — |" in lines
    assert "| P7 — Fairness and non\\-discrimination | — | A \\[2\\] | C \\[3\\] |" in lines
    # A cell holds a letter and a number: the item's title gets the width.
    assert annex.widths[0] == (76, 8, 8, 8)


def test_section_columns_follow_the_paper_not_the_decisions():
    entries = [entry("6.2", "P6", "gap"), entry("10", "P7", "aligned"), entry("4.6", "P7", "gap")]
    entries.append(entry("4.10", "P8", "partial"))
    annex = alignment_annex([REC], entries, "en")
    head = next(line for line in annex.markdown.splitlines() if line.startswith("| Item"))
    assert head == r"| Item | 4\.6 | 4\.10 | 6\.2 | 10 |"


def test_many_sections_are_listed_in_one_cell_with_their_status_letter():
    entries = [entry(str(n), "P7", "partial") for n in range(1, 9)]
    annex = alignment_annex([REC], entries, "en")
    assert "| Item | Sections \\(status\\, decision\\) |" in annex.markdown
    row = next(line for line in annex.markdown.splitlines() if line.startswith("| P7"))
    assert row.endswith(
        "| 1 P \\[1\\]; 2 P \\[2\\]; 3 P \\[3\\]; 4 P \\[4\\]; 5 P \\[5\\]; "
        "6 P \\[6\\]; 7 P \\[7\\]; 8 P \\[8\\] |"
    )
    assert annex.widths[0] == (40, 60)


def test_every_rationale_and_quote_is_in_the_numbered_decisions():
    annex = alignment_annex(
        [REC],
        [
            entry("2", "P7", "aligned", "Bias audits | are *required*.", "audit every model"),
            entry("3", "P8", "conflict", "Ignores energy use."),
        ],
        "en",
    )
    decisions = annex.markdown.split("**Decisions**")[1].strip().splitlines()
    assert decisions[0] == "| No\\. | Section | Item | Status | Rationale |"
    assert decisions[2] == (
        "| 1 | 2 | P7 | Aligned | Bias audits \\| are \\*required\\*\\. "
        "Passage\\: “audit every model” |"
    )
    assert decisions[3] == "| 2 | 3 | P8 | Conflict | Ignores energy use\\. |"
    assert annex.widths[-1] == (4, 8, 6, 9, 73)


def test_the_coverage_summary_comes_first():
    annex = alignment_annex(
        [REC], [entry("2", "P7", "aligned"), entry("3", "P8", "conflict")], "en"
    )
    first = annex.markdown.split("**REC2021 —")[0]
    assert "**Coverage**" in first
    assert "1 of 3 items addressed; not addressed\\: P6, P8; conflicts\\: 3 × P8 \\[2\\]" in first


def test_french_words_and_narrow_no_break_spaces():
    annex = alignment_annex([REC], [entry("2", "P7", "gap")], "fr")
    assert annex.title == "Alignement sur les cadres de référence"
    assert "**Couverture**" in annex.markdown
    assert "- L\u202f\\: Lacune" in annex.markdown
    assert "| Élément | 2 |" in annex.markdown
    assert "| 1 | 2 | P7 | Lacune | Because\\. |" in annex.markdown


def test_a_paper_without_framework_says_so():
    annex = alignment_annex([], [], "en")
    assert annex.markdown == "This paper is not checked against any framework\\.\n"


def comment(number, type_, decision, **changes):
    values = dict(
        number=number,
        section_number="3.4",
        section_title="Museums",
        sector="CLT",
        author="Amina Diallo",
        created_at=datetime(2027, 1, 15, 9, 0, tzinfo=UTC),
        passage="curators keep the last word",
        type=type_,
        comment="Who are the curators?",
        proposed_change="",
        decision=decision,
        rationale="",
    )
    values.update(changes)
    return CommentEntry(**values)


def test_the_comment_matrix_prints_decision_and_type_in_words():
    annex = comment_annex(
        [
            comment(7, "substantive", "accepted_modified", proposed_change="curators decide"),
            comment(9, "legal", ""),
        ],
        "en",
    )
    lines = annex.markdown.splitlines()
    assert lines[0] == (
        "| No\\. | Section | Sector | Author | Date | Type | Passage | Comment | Decision "
        "| Rationale |"
    )
    assert lines[2] == (
        "| 7 | 3\\.4 Museums | CLT | Amina Diallo | 2027-01-15 | Substantive | curators keep "
        "the last word | Who are the curators\\? Proposed change\\: “curators decide” "
        "| Accepted with changes |  |"
    )
    assert "| Legal |" in lines[3] and "| Open |" in lines[3]
    assert len(annex.widths) == 1 and len(annex.widths[0]) == 10


def test_the_comment_matrix_in_french():
    annex = comment_annex([comment(1, "editorial", "noted")], "fr")
    assert annex.title == "Matrice de résolution des commentaires"
    for word in ("Rédactionnel", "Pris en note", "Commentaire", "Justification"):
        assert word in annex.markdown
    for code in ("editorial", "noted"):
        assert f"| {code} |" not in annex.markdown


def test_no_comment_no_annex():
    assert comment_annex([], "en") is None


def test_every_status_type_and_decision_has_words_in_both_languages():
    from app.export.annexes import STATUSES
    from app.export.labels import labels
    from app.models import AlignmentStatus, CommentType, Decision

    assert set(STATUSES) == set(AlignmentStatus)
    for language in ("en", "fr"):
        words = labels(language)
        for status in AlignmentStatus:
            assert words[f"status_{status}"] and words[f"letter_{status}"]
        for kind in CommentType:
            assert words[f"type_{kind}"]
        for decision in Decision:
            assert words[f"decision_{decision}"]
