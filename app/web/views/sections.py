"""A section: its text, its history with diffs, and the editor.

The editor never loses what the user typed: a save on a stale base (someone saved since
the editor was opened) shows their text beside the colleague's revision and the diff, on
the new base, so that they merge and save again.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.db import after_commit
from app.errors import message, status_of
from app.services import access, notifications, revisions, sections, visits
from app.services.errors import DomainError
from app.web import bp, comments, diffs, forms, i18n, render
from app.web.auth import me
from app.web.views.papers import lead_candidates


def _section_page(section_id: int):
    """The acting user, the section, and what every section page shows around it."""
    user = me()
    section, paper = sections.get_section_and_paper(section_id, user)
    perms = access.permissions(user, paper)
    page = {
        "paper": paper,
        "section": section,
        "perms": perms,
        "roles": perms.roles,
        "may_write": perms.may_write(section),
    }
    return user, section, page


def section_page(section_id: int, *, form: dict | None = None, status: int = 200):
    """The section's text with its comments; `form` is what a refused form held (its
    `target` names which form, its `error` says why), shown again with `status`.
    """
    user, section, page = _section_page(section_id)
    history = revisions.list_revisions(section)
    current = history[-1] if history else None  # the latest (they are by number)
    previous = visits.last_visit(user, section)
    since = (
        comments.SinceLastVisit(
            previous.seen_at, previous.revision_id, previous.comment_id or 0, previous.reply_id or 0
        )
        if previous is not None
        else None
    )
    review = comments.section_review(
        page["paper"],
        section,
        user,
        page["perms"],
        current,
        filters=comments.CommentFilters.from_args(request.args),
        since=since,
        shown=max(1, request.args.get("comments", comments.COMMENT_PAGE, type=int)),
    )
    # Seen now: the next visit counts from here. Recorded after the answer, in a transaction
    # of its own, so that reading a section never waits for someone else's save.
    after_commit(
        visits.remember_visit,
        user.id,
        section.id,
        current.id if current else None,
        review.newest_comment_id,
        review.newest_reply_id,
    )
    return render_template(
        "section/show.html",
        **page,
        current=current,
        text=review.text,
        review=review,
        comment_page=comments.COMMENT_PAGE,
        form=form or {},
        revision_count=len(history),
        first_visit=previous is None,
        since=since,
        revised_since=[
            revision
            for revision in history
            if since is not None
            and revision.id > (since.revision_id or 0)
            and revision.author_id != user.id
        ],
        moves=sections.allowed_moves(section, user),
        candidates=lead_candidates(page["perms"]) if page["perms"].may_assign else [],
        comment_types=list(i18n.COMMENT_TYPES),
        decisions=list(i18n.DECISIONS),
        mentionable=notifications.mentionable(section.paper_id, page["perms"].people()),
    ), status


@bp.get("/sections/<int:section_id>")
def section(section_id: int):
    return section_page(section_id)


@bp.get("/sections/<int:section_id>/text.md")
def section_markdown(section_id: int):
    """The section's current text as a Markdown file (for a text too long to show)."""
    _user, section, _page = _section_page(section_id)
    current = revisions.latest(section.id)
    name = f"section-{section.number or section.id}.md".replace("/", "-")
    return Response(
        current.body if current else "",
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/sections/<int:section_id>/history")
def section_history(section_id: int):
    _user, section, page = _section_page(section_id)
    history = revisions.list_revisions(section)
    to_id = request.args.get("to", type=int) or (history[-1].id if history else None)
    from_id = request.args.get("from", type=int)
    if from_id is None and to_id is not None:
        # By default, what the chosen revision changed: compare it with the one before.
        earlier = [revision.id for revision in history if revision.id < to_id]
        from_id = earlier[-1] if earlier else None
    ops = (
        revisions.diff_revisions(section, from_id, to_id)
        if from_id is not None and to_id is not None
        else None
    )
    return render_template(
        "section/history.html",
        **page,
        history=list(reversed(history)),
        from_id=from_id,
        to_id=to_id,
        ops=ops,
        counts=diffs.diff_counts(ops) if ops else (0, 0),
    )


@bp.route("/sections/<int:section_id>/edit", methods=["GET", "POST"])
def edit_section(section_id: int):
    user, section, page = _section_page(section_id)
    # The service's own rule and sentence: the editor is not even shown to others.
    page["perms"].require(page["may_write"], "write_section")
    if request.method == "GET":
        current = revisions.latest(section.id)
        return render_template(
            "section/edit.html",
            **page,
            body=current.body if current else "",
            base_revision_id=current.id if current else None,
            summary="",
        )

    # Browsers send a textarea's line breaks as CRLF; the text is stored with LF.
    body = forms.multiline("body")
    base_revision_id = forms.optional_int("base_revision_id")
    summary = forms.text("summary")
    if request.form.get("action") == "preview":
        return render_template(
            "section/edit.html",
            **page,
            body=body,
            base_revision_id=base_revision_id,
            summary=summary,
            preview=render.markdown(body),
        )
    try:
        revision = revisions.save_revision(
            section, user, body=body, base_revision_id=base_revision_id, summary=summary
        )
    except revisions.StaleBase as stale:
        theirs = stale.current
        ops = revisions.word_diff(theirs.body if theirs else "", body)
        return render_template(
            "section/conflict.html",
            **page,
            body=body,
            summary=summary,
            theirs=theirs,
            theirs_html=render.markdown(theirs.body) if theirs else None,
            ops=ops,
            counts=diffs.diff_counts(ops),
        ), 409
    except DomainError as error:
        # Refused for another reason (the section was approved meanwhile...): say why,
        # and keep the text in the editor.
        return render_template(
            "section/edit.html",
            **page,
            body=body,
            base_revision_id=base_revision_id,
            summary=summary,
            error=message(error),
        ), status_of(error)
    flash(_("Revision %(number)s saved.", number=revision.number), "success")
    return redirect(url_for("web.section", section_id=section.id))
