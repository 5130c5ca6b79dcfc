"""Review rounds and the comment resolution matrix.

The paper's "Review rounds" tab lists its rounds and lets the coordinator open one; a
round's page holds its matrix, filtered by query parameters, and the CSV and Word files
the secretariats use. The rules are in app/services/rounds.py; the files come from the
export package, as the API's do.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.db import session
from app.errors import message, status_of
from app.services import access, reference, rounds, sections, users, versions
from app.services.errors import BadInput, DomainError, Invalid
from app.web import bp, forms, i18n
from app.web.auth import me

TAB = "web.rounds"
FILTERS = ("sector", "section", "type", "decision")


def _paper_page(paper_id: int):
    user = me()
    paper = access.get_paper(paper_id, user)
    perms = access.permissions(user, paper)
    return user, paper, {"paper": paper, "perms": perms, "roles": perms.roles, "active_tab": TAB}


def _round_facts(paper, every_round: list) -> list[dict]:
    """Each round with its version, whether it is open, and its comments by sector."""
    counts = rounds.comment_counts([r.id for r in every_round])
    labels = {version.id: version for version in versions.list_versions(paper.id)}
    facts = []
    for review_round in every_round:
        by_sector = [
            (sector, counts.get((review_round.id, sector.id), 0)) for sector in review_round.sectors
        ]
        facts.append(
            {
                "round": review_round,
                "version": labels.get(review_round.version_id),
                "open": rounds.is_open(review_round),
                "by_sector": by_sector,
                "total": sum(
                    n for (round_id, _sector), n in counts.items() if round_id == review_round.id
                ),
            }
        )
    return facts


def _rounds_page(paper_id: int, *, form: dict | None = None, error=None, status: int = 200):
    _user, paper, page = _paper_page(paper_id)
    may_open = page["perms"].may_open_round
    every_version = list(reversed(versions.list_versions(paper.id)))
    return render_template(
        "review/rounds.html",
        **page,
        rounds=list(reversed(_round_facts(paper, rounds.list_rounds(paper)))),
        may_open=may_open,
        versions=every_version if may_open else [],
        sectors=reference.list_sectors() if may_open else [],
        form=form or {"sectors": [], "deadline_time": "17:00"},
        error=error,
    ), status


@bp.get("/papers/<int:paper_id>/rounds", endpoint="rounds")
def rounds_page(paper_id: int):
    return _rounds_page(paper_id)


@bp.post("/papers/<int:paper_id>/rounds")
def open_round(paper_id: int):
    user, paper, _page = _paper_page(paper_id)
    form = {
        "version_id": forms.text("version_id"),
        "sectors": request.form.getlist("sectors"),
        "deadline_date": forms.text("deadline_date"),
        "deadline_time": forms.text("deadline_time"),
    }
    try:
        version_id = forms.optional_int("version_id")
        if version_id is None:
            raise BadInput("round_version_required")
        opened = rounds.open_round(
            paper,
            user,
            version_id=version_id,
            sectors=form["sectors"],
            deadline=forms.optional_moment("deadline_date", "deadline_time"),
        )
    except (BadInput, Invalid) as refused:
        session.rollback()
        return _rounds_page(paper_id, form=form, error=message(refused), status=status_of(refused))
    flash(
        _(
            "Round %(id)s is open to %(sectors)s.",
            id=opened.id,
            sectors=", ".join(sector.code for sector in opened.sectors),
        ),
        "success",
    )
    return redirect(url_for("web.review_round", round_id=opened.id))


def _filters(round_id: int | None) -> rounds.MatrixFilters:
    args = request.args
    return rounds.MatrixFilters(
        round_id=round_id,
        sector=args.get("sector") or None,
        section_id=args.get("section", type=int),
        type=args.get("type") or None,
        decision=args.get("decision") or None,
    )


def _chosen() -> dict:
    """The filters as they were asked for, to keep them in the links and the form."""
    return {name: request.args[name] for name in FILTERS if request.args.get(name)}


def _reviewer_path(review_round, user, perms: access.PaperPermissions) -> dict:
    """What a reviewer needs on a round's page: the version's sections with links and their
    sector's comments on each, where each sector's review stands, and what they may do."""
    if review_round is None:
        return {}
    reviews = rounds.sector_reviews(review_round)
    mine = next((entry for entry in reviews if entry.sector.id == user.sector_id), None)
    version = versions.get_version(review_round.version_id, user)
    is_open = rounds.is_open(review_round)
    return {
        "sector_reviews": reviews,
        "my_review": mine if perms.may_complete_review else None,
        "may_complete": is_open and mine is not None and perms.may_complete_review,
        "may_close": is_open and perms.may_open_round,
        "round_sections": version.sections,
        "my_counts": rounds.section_comment_counts(review_round, user.sector_id),
    }


def _matrix_page(paper, page: dict, review_round=None, *, form=None, error=None, status=200):
    user = me()
    entries = rounds.matrix(paper, _filters(review_round.id if review_round else None))
    facts = _round_facts(paper, [review_round])[0] if review_round else None
    opened_by = users.get_user(review_round.opened_by_id) if review_round else None
    return render_template(
        "review/matrix.html",
        **page,
        **_reviewer_path(review_round, user, page["perms"]),
        review_round=review_round,
        facts=facts,
        opened_by=opened_by,
        entries=entries,
        chosen=_chosen(),
        all_sectors=review_round.sectors if review_round else reference.list_sectors(),
        all_sections=[row.section for row in sections.list_sections(paper.id, user)],
        comment_types=list(i18n.COMMENT_TYPES),
        decisions=list(i18n.DECISIONS),
        may_extend=review_round is not None and page["perms"].may_open_round,
        form=form or {"deadline_time": "17:00"},
        error=error,
    ), status


@bp.get("/rounds/<int:round_id>")
def review_round(round_id: int):
    review_round = rounds.get_round(round_id, me())
    _user, paper, page = _paper_page(review_round.paper_id)
    return _matrix_page(paper, page, review_round)


@bp.post("/rounds/<int:round_id>/deadline")
def extend_round(round_id: int):
    user = me()
    review_round = rounds.get_round(round_id, user)
    form = {name: forms.text(name) for name in ("deadline_date", "deadline_time")}
    try:
        deadline = forms.optional_moment("deadline_date", "deadline_time")
        rounds.extend_round(review_round, user, deadline)
    except (BadInput, Invalid) as refused:
        session.rollback()
        _user, paper, page = _paper_page(review_round.paper_id)
        return _matrix_page(
            paper, page, review_round, form=form, error=message(refused), status=status_of(refused)
        )
    flash(_("Round %(id)s: the deadline is extended.", id=review_round.id), "success")
    return redirect(url_for("web.review_round", round_id=review_round.id))


def _round_action(round_id: int, act, done: str, form: dict | None = None):
    """Run one of a round's actions; a refusal comes back on the round's page, input kept."""
    user = me()
    review_round = rounds.get_round(round_id, user)
    try:
        act(review_round, user)
    except DomainError as refused:
        session.rollback()
        _user, paper, page = _paper_page(review_round.paper_id)
        return _matrix_page(
            paper,
            page,
            review_round,
            form=form,
            error=message(refused),
            status=status_of(refused),
        )
    flash(done, "success")
    return redirect(url_for("web.review_round", round_id=round_id))


@bp.post("/rounds/<int:round_id>/completion")
def mark_complete(round_id: int):
    form = {"note": forms.text("note"), "no_comments": forms.checked("no_comments")}
    return _round_action(
        round_id,
        lambda review_round, user: rounds.mark_complete(
            review_round,
            user,
            sector=user.sector.code,
            note=form["note"],
            no_comments=form["no_comments"],
        ),
        _("Your sector's review is recorded as complete."),
        {**form, "deadline_time": "17:00"},
    )


@bp.post("/rounds/<int:round_id>/completion/withdraw")
def withdraw_completion(round_id: int):
    return _round_action(
        round_id,
        lambda review_round, user: rounds.withdraw_completion(
            review_round, user, sector=user.sector.code
        ),
        _("Your sector's completion is withdrawn: the round shows no record for it again."),
    )


@bp.post("/rounds/<int:round_id>/close")
def close_round(round_id: int):
    return _round_action(
        round_id,
        rounds.close_round,
        _("The round is closed; each sector's final state is recorded."),
    )


@bp.get("/papers/<int:paper_id>/comment-matrix")
def paper_matrix(paper_id: int):
    _user, paper, page = _paper_page(paper_id)
    return _matrix_page(paper, page)


def _file(paper, review_round, fmt: str) -> Response:
    """The matrix as the CSV or Word file that the API also serves."""
    filters = _filters(review_round.id if review_round else None)
    made = rounds.matrix_file(paper, review_round, filters, fmt)
    return Response(
        made.data,
        mimetype=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


@bp.get("/rounds/<int:round_id>/matrix.<any(csv, docx):fmt>")
def round_matrix_file(round_id: int, fmt: str):
    user = me()
    review_round = rounds.get_round(round_id, user)
    return _file(access.get_paper(review_round.paper_id, user), review_round, fmt)


@bp.get("/papers/<int:paper_id>/comment-matrix.<any(csv, docx):fmt>")
def paper_matrix_file(paper_id: int, fmt: str):
    return _file(access.get_paper(paper_id, me()), None, fmt)
