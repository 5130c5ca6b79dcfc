"""Where a search hit is shown: one place that both the pages and the API link to."""

from __future__ import annotations

from flask import url_for

from app.services.search import Hit
from app.services.stages import Blocker


def blocker_link(blocker: Blocker, **url_options) -> str:
    """The page where a blocker of a signature is settled."""
    if blocker.round_id is not None:
        return url_for("web.review_round", round_id=blocker.round_id, **url_options)
    if blocker.reason == "blocker_expected_alignment":
        return url_for("web.alignment", paper_id=blocker.paper_id, **url_options)
    anchor = "comments" if blocker.reason == "blocker_open_comments" else None
    return url_for("web.section", section_id=blocker.section_id, _anchor=anchor, **url_options)


def hit_link(hit: Hit, **url_options) -> str:
    """The page, and the place on it, where the hit's text is (a path, or absolute with
    `_external=True`)."""
    if hit.source == "section":
        return url_for("web.section", section_id=hit.section_id, **url_options)
    if hit.source in ("comment", "reply"):
        return url_for(
            "web.section",
            section_id=hit.section_id,
            _anchor=f"{hit.source}-{hit.id}",
            **url_options,
        )
    if hit.source == "alignment":
        if hit.section_id is not None:
            return url_for(
                "web.section_alignment",
                section_id=hit.section_id,
                item_code=hit.item_code,
                _anchor=f"decision-{hit.id}",
                **url_options,
            )
        return url_for(
            "web.paper_alignment",
            paper_id=hit.paper_id,
            item_code=hit.item_code,
            _anchor=f"decision-{hit.id}",
            **url_options,
        )
    return url_for(
        "web.position_decisions_page",
        paper_id=hit.paper_id,
        _anchor=f"position-{hit.id}",
        **url_options,
    )
