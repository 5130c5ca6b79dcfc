"""The API takes a quote as a reader copies it from the page, as the web UI does: without
the Markdown's markup, found in the source all the same."""

from __future__ import annotations

from sqlalchemy import select

from app.db import session
from app.models import Comment, Role, Section
from app.services import revisions

TEXT = (
    "Museums use *machine learning* to describe large [collections](https://example.org).\n\n"
    "Archives remain fragile."
)


def test_a_quote_copied_from_the_rendered_text_is_anchored_on_the_markdown(
    create_paper, client, token_for
):
    paper = create_paper()
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    revisions.save_revision(
        section, paper.people[Role.COORDINATOR], body=TEXT, base_revision_id=_latest(section)
    )
    response = client.post(
        f"/api/v1/sections/{section.id}/comments",
        json={
            "body": "Which collections?",
            "type": "editorial",
            "quote": {"exact": "machine learning to describe large collections"},
        },
        headers=token_for(paper.people[Role.REVIEWER]),
    )
    assert response.status_code == 201, response.get_json()
    quote = response.get_json()["quote"]
    # The words as the source has them, from the first word's first letter to the last's end.
    assert quote["exact"] == "machine learning* to describe large [collections"
    comment = session.get(Comment, response.get_json()["id"])
    assert TEXT[comment.anchor_start : comment.anchor_end] == quote["exact"]

    refused = client.post(
        f"/api/v1/sections/{section.id}/comments",
        json={"body": "?", "type": "editorial", "quote": {"exact": "deep learning"}},
        headers=token_for(paper.people[Role.REVIEWER]),
    )
    assert refused.status_code == 422


def _latest(section) -> int | None:
    current = revisions.latest(section.id)
    return current.id if current else None
