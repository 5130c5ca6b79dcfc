"""A comment that a save left for later says so on the section page until it is carried
onto the new text."""

from __future__ import annotations

from sqlalchemy import select

from app import worker
from app.db import run_pending, session
from app.models import Comment, Role, Section
from app.services import reviews, revisions
from tests.web.helpers import page

TEXT = "Museums use machine learning to describe large collections.\n\nArchives remain fragile."


def test_a_comment_left_for_later_shows_re_anchoring_until_it_is_done(
    create_paper, client, sign_in, monkeypatch
):
    paper = create_paper()
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    coordinator = paper.people[Role.COORDINATOR]
    first = revisions.save_revision(
        section, coordinator, body=TEXT, base_revision_id=_latest(section)
    )
    comment = reviews.create_comment(
        section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(
            body="Which ones?", type="editorial", quote={"exact": "to describe large collections"}
        ),
    )
    # No time at all for searching: the edited passage's comment is left for later.
    monkeypatch.setattr(reviews, "SEARCH_SECONDS", -1.0)
    revisions.save_revision(
        section,
        coordinator,
        body=TEXT.replace("large collections", "vast collections"),
        base_revision_id=first.id,
    )
    session.flush()
    assert session.get(Comment, comment.id).anchor_revision_id == first.id

    sign_in(paper.people[Role.OBSERVER])
    shown = page(client.get(f"/sections/{section.id}")).text
    assert "Re-anchoring… its passage is being looked for in the new text." in shown

    run_pending()  # the nudge to the worker
    shown = page(client.get(f"/sections/{section.id}")).text
    assert "Re-anchoring…" in shown  # the web does not do it
    worker.run_burst(client.application, include_periodic=False)
    shown = page(client.get(f"/sections/{section.id}")).text
    assert "Re-anchoring…" not in shown
    session.expire_all()  # the worker wrote in a session of its own
    done = session.get(Comment, comment.id)
    assert (done.anchor_revision_id, done.orphaned) != (first.id, False)
    assert not done.orphaned


def _latest(section) -> int | None:
    current = revisions.latest(section.id)
    return current.id if current else None
