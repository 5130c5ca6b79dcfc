"""Comments through the services: re-anchoring on real revisions, resolution, history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session
from app.models import Activity, CommentStatus, Role, Section
from app.services import reviews, revisions
from app.services.errors import BadInput, Conflict, Forbidden, Invalid

TEXT = (
    "Les musées numérisent leurs collections depuis vingt ans.\n\n"
    "L’IA « générative » pose des questions d’authenticité pour le patrimoine immatériel "
    "des communautés, qui doivent rester maîtresses de leurs récits.\n\n"
    "Les archives sonores restent fragiles."
)
PASSAGE = "pose des questions d’authenticité pour le patrimoine immatériel"


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    section.lead_author_id = paper.people[Role.AUTHOR].id
    paper.section = section
    write(paper, TEXT)
    return paper


def write(paper, body: str, user=None):
    section = paper.section
    current = revisions.latest(section.id)
    return revisions.save_revision(
        section,
        user or paper.people[Role.AUTHOR],
        body=body,
        base_revision_id=current.id if current else None,
    )


def comment_on(paper, exact: str | None = PASSAGE, **fields):
    quote = None
    if exact is not None:
        text = revisions.latest(paper.section.id).body
        start = max(text.find(exact), 0)
        quote = {"exact": exact, "prefix": text[max(0, start - 20) : start], "suffix": ""}
    fields.setdefault("body", "Please say who decides what is authentic.")
    fields.setdefault("type", "substantive")
    return reviews.create_comment(
        paper.section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(quote=quote, **fields),
    )


def anchored(comment) -> str | None:
    return reviews.anchored_text(comment)


def test_a_comment_is_anchored_on_its_passage_for_the_reviewers_sector(paper):
    comment = comment_on(paper)
    assert comment.sector.code == "SHS"
    assert anchored(comment) == PASSAGE
    assert comment.anchor_revision_id == revisions.latest(paper.section.id).id


def test_a_quote_that_is_not_in_the_text_is_refused_and_nothing_is_written(paper):
    with pytest.raises(Invalid, match="not in the text"):
        comment_on(paper, exact="une phrase qui n’y est pas")
    assert reviews.list_comments(paper.section) == []


def test_re_anchoring_follows_the_passage_through_real_edits(paper):
    comment = comment_on(paper)
    paragraphs = TEXT.split("\n\n")

    # Moved to another paragraph.
    moved = "\n\n".join([paragraphs[2], paragraphs[1], paragraphs[0]])
    write(paper, moved)
    assert not comment.orphaned
    assert (comment.anchor_start, comment.anchor_end) == (
        moved.index(PASSAGE),
        moved.index(PASSAGE) + len(PASSAGE),
    )

    # A word changed inside it.
    changed_passage = PASSAGE.replace("questions", "interrogations")
    changed = moved.replace(PASSAGE, changed_passage)
    write(paper, changed)
    assert anchored(comment) == changed_passage
    assert comment.anchor_start == changed.index(changed_passage)

    # Text inserted before it.
    inserted = "Un préambule « nouveau », ajouté par l’auteur.\n\n" + changed
    write(paper, inserted)
    assert anchored(comment) == changed_passage
    assert comment.anchor_start == inserted.index(changed_passage)

    # Deleted: orphaned, still listed, still showing the text it was made on.
    gone = inserted.replace(paragraphs[1].replace(PASSAGE, changed_passage), "Autre chose.")
    latest = write(paper, gone)
    assert comment.orphaned
    assert comment.anchor_revision_id != latest.id
    assert reviews.anchored_text(comment) is None
    listed = reviews.list_comments(paper.section)
    assert [c.id for c in listed] == [comment.id]
    assert listed[0].quote_exact == PASSAGE
    actions = session.scalars(
        select(Activity.action).where(
            Activity.target_type == "comment", Activity.target_id == comment.id
        )
    ).all()
    assert "comment.orphaned" in actions

    # Still resolvable.
    reviews.resolve(comment, paper.people[Role.AUTHOR], decision="noted")
    assert comment.status == CommentStatus.RESOLVED


def test_resolution_needs_a_rationale_to_reject(paper):
    comment = comment_on(paper)
    with pytest.raises(Invalid, match="rationale"):
        reviews.resolve(comment, paper.people[Role.AUTHOR], decision="rejected")
    assert comment.status == CommentStatus.OPEN
    with pytest.raises(BadInput, match="must be one of"):
        reviews.resolve(comment, paper.people[Role.AUTHOR], decision="maybe")


def test_applying_a_suggestion_replaces_exactly_the_anchored_passage(paper):
    comment = comment_on(paper, proposed_text="interroge l’authenticité du patrimoine vivant")
    write(paper, "Nouvelle introduction.\n\n" + TEXT)  # the passage moves; the anchor follows
    entry = reviews.resolve(
        comment, paper.people[Role.AUTHOR], decision="accepted", apply_suggestion=True
    )
    latest = revisions.latest(paper.section.id)
    assert entry.applied_revision_id == latest.id
    assert latest.body == "Nouvelle introduction.\n\n" + TEXT.replace(
        PASSAGE, "interroge l’authenticité du patrimoine vivant"
    )
    assert reviews.anchored_text(comment) == "interroge l’authenticité du patrimoine vivant"


def test_applying_a_suggestion_whose_passage_is_gone_is_a_conflict(paper):
    comment = comment_on(paper, proposed_text="autre chose")
    write(paper, "Tout a été réécrit.")
    before = revisions.latest(paper.section.id).id
    with pytest.raises(Conflict, match="no longer in the section"):
        reviews.resolve(
            comment, paper.people[Role.AUTHOR], decision="accepted", apply_suggestion=True
        )
    assert revisions.latest(paper.section.id).id == before
    assert comment.status == CommentStatus.OPEN


def test_a_suggestion_can_only_be_applied_once_accepted(paper):
    comment = comment_on(paper, proposed_text="autre chose")
    with pytest.raises(Invalid, match="Only an accepted suggestion"):
        reviews.resolve(
            comment,
            paper.people[Role.AUTHOR],
            decision="rejected",
            rationale="No.",
            apply_suggestion=True,
        )


def test_reopening_keeps_both_steps_in_the_history(paper):
    comment = comment_on(paper)
    reviews.resolve(comment, paper.people[Role.AUTHOR], decision="noted", rationale="Seen.")
    with pytest.raises(Forbidden):
        reviews.reopen(comment, paper.people[Role.AUTHOR])
    reviews.reopen(comment, paper.people[Role.COORDINATOR], rationale="SHS asked again.")
    reviews.resolve(
        comment,
        paper.people[Role.COORDINATOR],
        decision="accepted_modified",
        rationale="Shortened.",
    )
    session.refresh(comment)
    assert [(e.action, e.decision) for e in comment.resolutions] == [
        ("resolved", "noted"),
        ("reopened", None),
        ("resolved", "accepted_modified"),
    ]
    assert comment.decision == "accepted_modified"


def test_an_author_edits_or_withdraws_only_until_someone_answers(paper):
    comment = comment_on(paper)
    reviews.edit_comment(comment, paper.people[Role.REVIEWER], body="Clearer now.")
    assert comment.body == "Clearer now." and comment.edited_at is not None
    with pytest.raises(Forbidden):
        reviews.edit_comment(comment, paper.people[Role.AUTHOR], body="Not mine.")
    reviews.reply(comment, paper.people[Role.AUTHOR], "Which communities?")
    with pytest.raises(Conflict, match="can no longer be edited"):
        reviews.edit_comment(comment, paper.people[Role.REVIEWER], body="Too late.")
    with pytest.raises(Conflict, match="can no longer be withdrawn"):
        reviews.withdraw_comment(comment, paper.people[Role.REVIEWER])

    other = comment_on(paper, exact="Les archives sonores")
    reviews.withdraw_comment(other, paper.people[Role.REVIEWER])
    assert other.status == CommentStatus.WITHDRAWN


def test_every_action_is_in_the_activity_log(paper):
    comment = comment_on(paper, proposed_text="x")
    reviews.reply(comment, paper.people[Role.AUTHOR], "Thanks.")
    reviews.resolve(comment, paper.people[Role.AUTHOR], decision="noted")
    reviews.reopen(comment, paper.people[Role.COORDINATOR])
    actions = session.scalars(
        select(Activity.action)
        .where(Activity.target_type == "comment", Activity.target_id == comment.id)
        .order_by(Activity.id)
    ).all()
    assert actions == ["comment.created", "comment.replied", "comment.resolved", "comment.reopened"]
