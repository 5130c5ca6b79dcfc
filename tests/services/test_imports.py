"""A returned Word file's remarks become comments, replies and suggestions, idempotently,
all or nothing, with a report of every remark (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import session
from app.models import Activity, Comment, CommentReply, ImportedItem, Role, Section
from app.services import imports, reviews, revisions, versions
from app.services.errors import BadInput, Invalid
from tests.docx_import.word import (
    WordComment,
    WordFile,
    comment_end,
    comment_start,
    deleted,
    inserted,
    run,
)

FIRST = "Museums use *machine learning* to catalogue collections.\n\nThe quick brown fox."
SECOND = "Bias in algorithms shapes access to content."


@pytest.fixture
def setup(create_paper, create_user):
    """A template paper whose first two sections hold known text, frozen as v1."""
    paper = create_paper()
    coordinator = paper.people[Role.COORDINATOR]
    sections = list(
        session.scalars(
            select(Section).where(Section.paper_id == paper.id).order_by(Section.position)
        )
    )[:2]
    for section, body in zip(sections, (FIRST, SECOND), strict=True):
        base = revisions.latest(section.id)
        revisions.save_revision(
            section, coordinator, body=body, base_revision_id=base.id if base else None
        )
    version = versions.freeze_version(paper, coordinator, "v1")
    return paper, version, sections


def properties(paper, version) -> dict[str, str]:
    return {
        "PlumePaperId": str(paper.id),
        "PlumeVersionId": str(version.id),
        "PlumeVersionSha256": version.sha256,
        "PlumeExportId": "feedfacecafebeef",
    }


def returned_file(paper, version, sections, *, reviewer_name: str) -> bytes:
    """What a reviewer sends back: a comment with a reply, a resolved thread, a replacement,
    an unknown author's comment, and a comment on a heading."""
    one, two = sections
    return WordFile(
        sections=[
            (
                str(one.id),
                "1 Heading edited by the reviewer",
                [
                    run("Museums use ")
                    + comment_start(0)
                    + run("machine learning")
                    + comment_end(0)
                    + run(" to catalogue collections."),
                    run("The quick ")
                    + deleted("brown", reviewer_name, 50)
                    + inserted("red", reviewer_name, 51)
                    + run(" fox."),
                ],
            ),
            (
                str(two.id),
                "2 Second",
                [
                    comment_start(2)
                    + run("Bias in algorithms")
                    + comment_end(2)
                    + run(" shapes ")
                    + comment_start(3)
                    + run("access")
                    + comment_end(3)
                    + run(" to content."),
                ],
            ),
        ],
        comments=[
            WordComment(0, reviewer_name, "Which techniques?", date="0-00-00T00:00:00Z"),
            WordComment(1, "Somebody Unknown", "Image recognition, mostly.", parent=0),
            WordComment(2, reviewer_name, "Cite a study.", done=True),
            WordComment(3, "Somebody Unknown", "Access for whom?"),
        ],
        properties=properties(paper, version),
    ).build()


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_returned_file_becomes_comments_replies_and_suggestions(setup, create_user):
    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    reviewer = paper.people[Role.REVIEWER]
    data = returned_file(paper, version, sections, reviewer_name=f"{reviewer.name} (SHS)")

    report = imports.import_docx(paper.id, coordinator, data)

    by_body = {item.body.split("\n")[0]: item for item in report.items}
    assert report.counts == {"created": 5, "duplicate": 0, "unplaced": 0}
    first = by_body["Which techniques?"]
    assert (first.kind, first.section_id, first.user_id) == ("comment", sections[0].id, reviewer.id)
    comment = session.get(Comment, first.comment_id)
    # The passage on the Markdown: the words inside the emphasis, with the text's context.
    assert comment.quote_exact == "machine learning"
    assert comment.quote_prefix.endswith("Museums use *")
    assert comment.author_id == reviewer.id and comment.sector.code == "SHS"
    (answer,) = session.scalars(select(CommentReply).where(CommentReply.comment_id == comment.id))
    assert answer.author_id == coordinator.id  # an unknown author: the uploader's item
    assert answer.body == "Image recognition, mostly.\n\n— from Somebody Unknown (Word)"

    suggestion = next(item for item in report.items if item.kind == "suggestion")
    made = session.get(Comment, suggestion.comment_id)
    assert (made.quote_exact, made.proposed_text) == ("brown", "red")
    resolved = session.get(Comment, by_body["Cite a study."].comment_id)
    assert resolved.status == "resolved" and resolved.decision == "noted"
    assert by_body["Cite a study."].reason == "resolved_in_word"

    # Applying the suggestion performs exactly the reviewer's change.
    reviews.resolve(made, coordinator, decision="accepted", apply_suggestion=True)
    body = revisions.latest(sections[0].id).body
    assert body == FIRST.replace("quick brown fox", "quick red fox")
    assert (
        session.scalar(
            select(func.count()).select_from(Activity).where(Activity.action == "import.made")
        )
        == 1
    )


def test_the_same_file_twice_creates_nothing_twice(setup):
    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    data = returned_file(paper, version, sections, reviewer_name="Ada Reviewer")
    first = imports.import_docx(paper.id, coordinator, data)
    comments, replies, entries = count(Comment), count(CommentReply), count(Activity)
    again = imports.import_docx(paper.id, coordinator, data)
    assert again.counts == {"created": 0, "duplicate": 5, "unplaced": 0}
    assert [i.comment_id for i in again.items] == [i.comment_id for i in first.items]
    assert (count(Comment), count(CommentReply), count(Activity)) == (comments, replies, entries)


def test_a_dry_run_reports_everything_and_writes_nothing(setup):
    paper, version, sections = setup
    before = (count(Comment), count(CommentReply), count(ImportedItem), count(Activity))
    report = imports.import_docx(
        paper.people[Role.COORDINATOR] and paper.id,
        paper.people[Role.COORDINATOR],
        returned_file(paper, version, sections, reviewer_name="Ada Reviewer"),
        dry_run=True,
    )
    assert report.dry_run and report.counts["created"] == 5
    assert all(item.comment_id is None for item in report.items)
    assert (count(Comment), count(CommentReply), count(ImportedItem), count(Activity)) == before


def test_remarks_are_carried_to_todays_text(setup):
    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    current = revisions.latest(sections[0].id)
    revisions.save_revision(
        sections[0],
        coordinator,
        body="A new first paragraph.\n\n" + FIRST,
        base_revision_id=current.id,
    )
    report = imports.import_docx(
        paper.id, coordinator, returned_file(paper, version, sections, reviewer_name="X")
    )
    made = session.get(Comment, report.items[0].comment_id)
    today = revisions.latest(sections[0].id)
    assert made.anchor_revision_id == today.id and not made.orphaned
    assert today.body[made.anchor_start : made.anchor_end] == "machine learning"


def test_a_passage_that_is_gone_is_unplaced_then_a_section_comment_on_request(setup):
    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    data = WordFile(
        sections=[
            (
                str(sections[0].id),
                "1",
                [comment_start(0) + run("words never written") + comment_end(0)],
            )
        ],
        comments=[WordComment(0, "X", "Hm.")],
        properties=properties(paper, version),
    ).build()
    (item,) = imports.import_docx(paper.id, coordinator, data).items
    assert (item.status, item.reason, item.quote) == (
        "unplaced",
        "passage_not_found",
        "words never written",
    )
    assert item.comment_id is None
    (item,) = imports.import_docx(paper.id, coordinator, data, unplaced_as_section=True).items
    assert item.status == "created"
    comment = session.get(Comment, item.comment_id)
    assert comment.quote_exact is None and comment.section_id == sections[0].id
    assert comment.body.startswith("> words never written\n\nHm.")


def test_a_file_from_another_paper_or_not_from_plume_is_refused(setup, create_paper):
    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    other = create_paper()
    data = returned_file(paper, version, sections, reviewer_name="X")
    with pytest.raises(Invalid) as refused:
        imports.import_docx(other.id, other.people[Role.COORDINATOR], data)
    assert refused.value.reason == "import_other_paper"
    plain = WordFile(sections=[(None, "Nothing", [run("Text.")])]).build()
    with pytest.raises(Invalid) as refused:
        imports.import_docx(paper.id, coordinator, plain)
    assert refused.value.reason == "import_not_plume"
    with pytest.raises(BadInput) as refused:
        imports.import_docx(paper.id, coordinator, b"PK\x03\x04 not really")
    assert refused.value.reason == "import_not_docx"


def test_a_file_not_from_plume_is_matched_by_headings(setup):
    paper, version, sections = setup
    entry = next(e for e in version.sections if e.section_id == sections[1].id)
    data = WordFile(
        sections=[
            (
                None,
                f"{entry.number} {entry.title}",
                [comment_start(0) + run("Bias in algorithms") + comment_end(0) + run(" shapes")],
            )
        ],
        comments=[WordComment(0, "X", "Which biases?")],
    ).build()
    report = imports.import_docx(paper.id, paper.people[Role.COORDINATOR], data, match="headings")
    (item,) = report.items
    assert (item.status, item.section_id) == ("created", sections[1].id)
    assert session.get(Comment, item.comment_id).quote_exact == "Bias in algorithms"


def test_a_comment_on_a_heading_is_a_section_comment_that_keeps_its_quote(setup):
    paper, version, sections = setup
    data = WordFile(
        sections=[
            (
                str(sections[1].id),
                comment_start(0) + run("2 Second") + comment_end(0),
                [run("Bias in algorithms shapes access to content.")],
            )
        ],
        comments=[WordComment(0, "X", "Renumber this heading.")],
        properties=properties(paper, version),
    ).build()
    (item,) = imports.import_docx(paper.id, paper.people[Role.COORDINATOR], data).items
    assert (item.status, item.reason, item.section_id) == ("created", "on_heading", sections[1].id)
    comment = session.get(Comment, item.comment_id)
    assert comment.quote_exact is None
    assert comment.body.startswith("> 2 Second\n\nRenumber this heading.")


def test_imported_remarks_are_found_by_search(setup):
    from app.services import search

    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    imports.import_docx(
        paper.id, coordinator, returned_file(paper, version, sections, reviewer_name="X")
    )
    found = search.search(coordinator, "techniques", search.Filters(paper_id=paper.id))
    assert found.total >= 1


def test_a_rounds_sector_rule_applies_to_the_matched_author(setup):
    from datetime import UTC, datetime, timedelta

    from app.services import rounds

    paper, version, sections = setup
    coordinator, reviewer = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    review_round = rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=["CLT"],  # the reviewer's SHS is not invited
        deadline=datetime.now(UTC) + timedelta(days=3),
    )
    data = WordFile(
        sections=[
            (
                str(sections[1].id),
                "2",
                [comment_start(0) + run("Bias in algorithms") + comment_end(0)],
            )
        ],
        # Matched by initials alone: the Word author has no name
        comments=[WordComment(0, "", "Which biases?", initials=_initials(reviewer.name))],
        properties=properties(paper, version),
    ).build()
    (item,) = imports.import_docx(
        paper.id, coordinator, data, round_id=review_round.id, dry_run=True
    ).items
    assert item.user_id == reviewer.id
    assert (item.status, item.reason) == ("unplaced", "round_sector")


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split())
