"""Comments on a section: make one on a passage, reply, resolve, reopen, edit, withdraw.

Every form posts here and comes back to the section page. A form the services refuse for
what it holds (a quote that is not in the text, a rejection without a rationale) is shown
again on the section page with what was typed and why; one the reader may not send at
all is a 403 page. The rules are in app/services/reviews.py.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.db import session
from app.errors import message, status_of
from app.services import reviews, revisions, sections
from app.services.errors import BadInput, Conflict, Invalid
from app.text import passages
from app.web import bp, forms, i18n
from app.web.auth import me
from app.web.views.sections import section_page

# What a refused form shows again; Forbidden and NotFound are error pages of their own.
REFUSED = (BadInput, Invalid, Conflict)


def _refused(section_id: int, target: str, error, form: dict):
    session.rollback()
    return section_page(
        section_id,
        form={**form, "target": target, "error": message(error)},
        status=status_of(error),
    )


def _to_comment(section_id: int, comment_id: int):
    return redirect(url_for("web.section", section_id=section_id, _anchor=f"comment-{comment_id}"))


def _quote(section, form: dict, in_round: bool) -> dict | None:
    """The quoted passage as the services take it (a TextQuoteSelector), or None.

    A passage selected or copied on the page reads without the Markdown's markup
    (`machine learning` for `*machine learning*`): it is looked up in the source, and
    the source's words are sent, at the place they were found.
    """
    exact = form["quote_exact"].strip()
    if not exact:
        return None
    quote = {"exact": exact, "prefix": form["quote_prefix"], "suffix": form["quote_suffix"]}
    current = revisions.latest(section.id)
    if current is None or exact in current.body:
        return quote
    found = passages.source_passage(current.body, exact, quote["prefix"], quote["suffix"])
    if found is None:
        return quote  # the service says why it cannot be anchored
    start, end = found
    mapped = {"exact": current.body[start:end]}
    if not in_round:
        # A round's comments quote the frozen text, where the place may differ.
        mapped["start"] = start
    return mapped


@bp.post("/sections/<int:section_id>/comments")
def create_comment(section_id: int):
    user = me()
    section = sections.get_section(section_id, user)
    form = {
        "type": forms.text("type"),
        "body": forms.multiline("body"),
        "quote_exact": forms.multiline("quote_exact"),
        "quote_prefix": request.form.get("quote_prefix", ""),
        "quote_suffix": request.form.get("quote_suffix", ""),
        "proposed_text": forms.multiline("proposed_text"),
        "round_id": forms.text("round_id"),
        "item_code": forms.text("item_code"),
    }
    try:
        round_id = forms.optional_int("round_id")
        comment = reviews.create_comment(
            section,
            user,
            reviews.NewComment(
                body=form["body"],
                type=form["type"],
                quote=_quote(section, form, in_round=round_id is not None),
                proposed_text=form["proposed_text"] if form["proposed_text"].strip() else None,
                round_id=round_id,
                item_code=form["item_code"] or None,
            ),
        )
    except REFUSED as error:
        return _refused(section.id, "new", error, form)
    flash(_("Comment %(number)s saved.", number=comment.id), "success")
    return _to_comment(section.id, comment.id)


@bp.post("/comments/<int:comment_id>/replies")
def reply_to_comment(comment_id: int):
    user = me()
    comment = reviews.get_comment(comment_id, user)
    form = {"body": forms.multiline("body"), "parent_id": forms.text("parent_id")}
    try:
        reviews.reply(comment, user, form["body"], parent_id=forms.optional_int("parent_id"))
    except REFUSED as error:
        target = f"reply-{comment.id}-{form['parent_id'] or 0}"
        return _refused(comment.section_id, target, error, form)
    flash(_("Your reply to comment %(number)s is saved.", number=comment.id), "success")
    return _to_comment(comment.section_id, comment.id)


@bp.post("/comments/<int:comment_id>/resolution")
def resolve_comment(comment_id: int):
    user = me()
    comment = reviews.get_comment(comment_id, user)
    form = {
        "decision": forms.text("decision"),
        "rationale": forms.multiline("rationale"),
        "apply_suggestion": forms.checked("apply_suggestion"),
    }
    try:
        entry = reviews.resolve(
            comment,
            user,
            decision=form["decision"],
            rationale=form["rationale"],
            apply_suggestion=form["apply_suggestion"],
        )
    except REFUSED as error:
        return _refused(comment.section_id, f"resolve-{comment.id}", error, form)
    decision = i18n.label(entry.decision, "decision")
    flash(_("Comment %(number)s: %(decision)s.", number=comment.id, decision=decision), "success")
    if entry.applied_revision_id:
        applied = revisions.get_revision(entry.applied_revision_id)
        flash(
            _("The suggestion is applied: revision %(number)s.", number=applied.number), "success"
        )
    return _to_comment(comment.section_id, comment.id)


@bp.post("/comments/<int:comment_id>/reopen")
def reopen_comment(comment_id: int):
    user = me()
    comment = reviews.get_comment(comment_id, user)
    form = {"rationale": forms.multiline("rationale")}
    try:
        reviews.reopen(comment, user, form["rationale"])
    except REFUSED as error:
        return _refused(comment.section_id, f"reopen-{comment.id}", error, form)
    flash(_("Comment %(number)s is open again.", number=comment.id), "success")
    return _to_comment(comment.section_id, comment.id)


@bp.post("/comments/<int:comment_id>/edit")
def edit_comment(comment_id: int):
    user = me()
    comment = reviews.get_comment(comment_id, user)
    form = {
        "body": forms.multiline("body"),
        "type": forms.text("type"),
        "proposed_text": forms.multiline("proposed_text"),
    }
    try:
        reviews.edit_comment(
            comment,
            user,
            body=form["body"],
            type=form["type"] or None,
            proposed_text=form["proposed_text"] if form["proposed_text"].strip() else None,
        )
    except REFUSED as error:
        return _refused(comment.section_id, f"edit-{comment.id}", error, form)
    flash(_("Comment %(number)s updated.", number=comment.id), "success")
    return _to_comment(comment.section_id, comment.id)


@bp.post("/comments/<int:comment_id>/withdraw")
def withdraw_comment(comment_id: int):
    user = me()
    comment = reviews.get_comment(comment_id, user)
    try:
        reviews.withdraw_comment(comment, user)
    except REFUSED as error:
        return _refused(comment.section_id, f"edit-{comment.id}", error, {})
    flash(_("Comment %(number)s withdrawn.", number=comment.id), "success")
    return _to_comment(comment.section_id, comment.id)
