"""Comments on sections: create, list, edit or withdraw, reply, resolve and reopen."""

from app.api import bp, current_user, pagination
from app.api.plain import comments_out, plain_json
from app.api.schemas.reviews import (
    CommentIn,
    CommentOut,
    CommentPatch,
    CommentQuery,
    ReopenIn,
    ReplyIn,
    ResolutionIn,
)
from app.services import access, reviews, sections

TAGS = ["Review"]


@bp.get("/comments/<int:comment_id>")
@bp.output(CommentOut)
@bp.doc(tags=TAGS)
def get_comment(comment_id: int):
    return reviews.get_comment(comment_id, current_user())


@bp.get("/sections/<int:section_id>/comments")
@bp.input(CommentQuery, location="query", arg_name="query")
@bp.output(CommentOut(many=True))
@bp.doc(
    tags=TAGS,
    summary="The section's comments, oldest first, with replies and resolution history",
    description="Orphaned comments (whose passage is gone from the text) are listed too, "
    "with `orphaned` true and the quote they were made on." + pagination.DESCRIPTION,
)
def list_comments(section_id: int, query):
    # Reading needs no more than the reader's own roles (not the paper and its members).
    section = access.get_section_to_read(section_id, current_user())
    after = pagination.after_key(query)
    rows = reviews.comment_rows(
        section,
        status=query.get("status"),
        round_id=query.get("round_id"),
        after_id=after[0] if after else None,
        limit=query["limit"] + 1,
    )
    page, status, headers = pagination.answer(rows.comments, query, lambda c: (c.id,))
    rows = reviews.CommentRows(page, rows.replies, rows.history)
    return plain_json(comments_out(rows), status, headers)


@bp.post("/sections/<int:section_id>/comments")
@bp.input(CommentIn, arg_name="data")
@bp.output(CommentOut, status_code=201)
@bp.doc(
    tags=TAGS,
    summary="Comment on the section, or on a passage of it, for your sector",
    description="The quote must be verbatim in the section's current text (in a round: in "
    "the text of the round's version), else 422. In a round, only reviewers of an invited "
    "sector comment, before the deadline (else 409).",
)
def create_comment(section_id: int, data):
    user = current_user()
    section = sections.get_section(section_id, user)
    return reviews.create_comment(section, user, reviews.NewComment(**data))


@bp.patch("/comments/<int:comment_id>")
@bp.input(CommentPatch, arg_name="data")
@bp.output(CommentOut)
@bp.doc(
    tags=TAGS,
    summary="Edit or withdraw your own comment",
    description="Only while nobody has replied to it or resolved it (else 409).",
)
def patch_comment(comment_id: int, data):
    user = current_user()
    comment = reviews.get_comment(comment_id, user)
    if data.pop("status", None):
        if data:
            reviews.edit_comment(comment, user, **data)
        return reviews.withdraw_comment(comment, user)
    return reviews.edit_comment(comment, user, **data)


@bp.post("/comments/<int:comment_id>/replies")
@bp.input(ReplyIn, arg_name="data")
@bp.output(CommentOut, status_code=201)
@bp.doc(tags=TAGS, summary="Reply in the comment's thread; answers with the whole thread")
def reply(comment_id: int, data):
    user = current_user()
    comment = reviews.get_comment(comment_id, user)
    reviews.reply(comment, user, **data)
    return comment


@bp.post("/comments/<int:comment_id>/resolution")
@bp.input(ResolutionIn, arg_name="data")
@bp.output(CommentOut)
@bp.doc(
    tags=TAGS,
    summary="Resolve the comment with a decision",
    description="The section's lead author or the coordinator. A rationale is required for "
    "rejected and accepted_modified. `apply_suggestion` makes a new revision in which the "
    "proposed text replaces the passage (409 if the passage is no longer in the text).",
)
def resolve(comment_id: int, data):
    user = current_user()
    comment = reviews.get_comment(comment_id, user)
    reviews.resolve(comment, user, **data)
    return comment


@bp.post("/comments/<int:comment_id>/reopen")
@bp.input(ReopenIn, arg_name="data")
@bp.output(CommentOut)
@bp.doc(tags=TAGS, summary="Reopen a resolved comment (the coordinator)")
def reopen(comment_id: int, data):
    user = current_user()
    comment = reviews.get_comment(comment_id, user)
    reviews.reopen(comment, user, **data)
    return comment
