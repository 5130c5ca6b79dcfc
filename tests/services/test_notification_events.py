"""Each event tells the people the issue names, and never the actor."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import session
from app.models import Notification, Role, Section
from app.services import papers, reviews, revisions, sections, signoff, versions

TEXT = "Museums digitise their collections.\n\nGenerative AI raises questions of authenticity."
PASSAGE = "raises questions of authenticity"


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    paper.section = section
    current = revisions.latest(section.id)
    revisions.save_revision(
        section,
        paper.people[Role.COORDINATOR],
        body=TEXT,
        base_revision_id=current.id if current else None,
    )
    return paper


def told(event: str, paper) -> dict[int, Notification]:
    rows = session.scalars(
        select(Notification).where(Notification.event == event, Notification.paper_id == paper.id)
    )
    return {row.user_id: row for row in rows}


def comment(paper, body="Who decides what is authentic?", by=Role.REVIEWER):
    return reviews.create_comment(
        paper.section,
        paper.people[by],
        reviews.NewComment(
            body=body,
            type="substantive",
            quote={"exact": PASSAGE, "prefix": "Generative AI ", "suffix": "."},
        ),
    )


def test_assigning_a_section_tells_its_new_lead(paper):
    coordinator, author = paper.people[Role.COORDINATOR], paper.people[Role.AUTHOR]
    sections.update_section(paper.section, coordinator, lead_author_id=author.id)
    (item,) = told("section.assigned", paper).values()
    assert item.user_id == author.id
    assert item.link == f"/sections/{paper.section.id}"
    assert item.params["section"].startswith("3.4 ")
    # Setting the same lead again tells no one again.
    sections.update_section(paper.section, coordinator, lead_author_id=author.id)
    assert len(told("section.assigned", paper)) == 1


def test_a_comment_tells_the_lead_or_else_the_coordinator(paper):
    first = comment(paper)
    assert set(told("comment.on_my_section", paper)) == {paper.people[Role.COORDINATOR].id}
    item = told("comment.on_my_section", paper)[paper.people[Role.COORDINATOR].id]
    assert item.delivery == "digest"  # the default for this category
    assert item.link == f"/sections/{paper.section.id}#comment-{first.id}"
    assert item.thread_id == first.id
    assert item.params["excerpt"] == "Who decides what is authentic?"

    sections.update_section(
        paper.section, paper.people[Role.COORDINATOR], lead_author_id=paper.people[Role.AUTHOR].id
    )
    session.execute(Notification.__table__.delete().where(Notification.paper_id == paper.id))
    session.expire_all()  # SQLite reuses the ids of deleted rows
    comment(paper)
    assert set(told("comment.on_my_section", paper)) == {paper.people[Role.AUTHOR].id}


def test_a_reply_tells_everyone_in_the_thread_but_the_replier(paper, create_user):
    first = comment(paper)
    coordinator = paper.people[Role.COORDINATOR]
    reviews.reply(first, coordinator, "We will cite the 2005 Convention.")
    assert set(told("comment.reply", paper)) == {paper.people[Role.REVIEWER].id}
    author = paper.people[Role.AUTHOR]
    entry = reviews.reply(first, author, "Agreed.")
    repliers = {
        n.user_id: n.link
        for n in session.scalars(
            select(Notification).where(
                Notification.event == "comment.reply", Notification.link.endswith(f"{entry.id}")
            )
        )
    }
    assert set(repliers) == {paper.people[Role.REVIEWER].id, coordinator.id}
    assert all(link.endswith(f"#reply-{entry.id}") for link in repliers.values())


def test_a_decision_tells_the_comments_author(paper):
    first = comment(paper)
    reviews.resolve(
        first, paper.people[Role.COORDINATOR], decision="rejected", rationale="Out of scope"
    )
    (item,) = told("comment.decision", paper).values()
    assert item.user_id == paper.people[Role.REVIEWER].id
    assert item.params["decision"] == "rejected"


def test_an_orphaned_comment_tells_its_author_with_a_link_to_it(paper):
    first = comment(paper)
    current = revisions.latest(paper.section.id)
    revisions.save_revision(
        paper.section,
        paper.people[Role.COORDINATOR],
        body="Something else entirely.",
        base_revision_id=current.id,
    )
    (item,) = told("comment.orphaned", paper).values()
    assert item.user_id == paper.people[Role.REVIEWER].id
    assert item.link == f"/sections/{paper.section.id}#comment-{first.id}"
    assert item.thread_id == first.id


def test_mentions_by_name_or_email_tell_members_only(paper, create_user):
    outsider = create_user("SC", name="Olga Outsider")
    signatory, author = paper.people[Role.SIGNATORY], paper.people[Role.AUTHOR]
    body = f"@{signatory.name} and @{author.email.upper()}, see this; @Olga Outsider too."
    comment(paper, body=body)
    assert set(told("comment.mention", paper)) == {signatory.id, author.id}
    assert outsider.id not in told("comment.mention", paper)


def test_ballot_events_tell_signatories_and_coordinators(paper, create_user):
    coordinator = paper.people[Role.COORDINATOR]
    second = create_user("SHS")
    papers.add_member(paper, second.email, Role.SIGNATORY, actor=coordinator)
    version = versions.freeze_version(
        paper, coordinator, "v1.0", purpose="signature", override_reason="Tested before approval"
    )
    assert set(told("version.for_signature", paper)) == {paper.people[Role.SIGNATORY].id, second.id}

    signoff.record_position(version, second, "block", reason="Legal must read 4.2")
    blocked = told("version.blocked", paper)
    assert set(blocked) == {paper.people[Role.SIGNATORY].id, coordinator.id}
    assert blocked[coordinator.id].params["reason"] == "Legal must read 4.2"

    signoff.record_position(version, second, "approve")
    signoff.record_position(version, paper.people[Role.SIGNATORY], "approve")
    assert set(told("version.signed_off", paper)) == {
        paper.people[Role.SIGNATORY].id,
        second.id,
        coordinator.id,
    }
