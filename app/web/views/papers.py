"""A paper: its overview (sections at a glance), assignments and states, members, activity."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.db import session
from app.errors import message, status_of
from app.models import Role
from app.services import access, activity, papers, sections, visits
from app.services.errors import DomainError
from app.web import bp, feed, forms, i18n
from app.web.auth import me

ACTIVITY_PAGE = 50
# Sections per page of the overview: the progress bar above the table counts them all.
OVERVIEW_ROWS = 50


def lead_candidates(paper_id: int) -> list:
    """The people who may lead a section: the paper's authors and coordinators."""
    people = {}
    for member in papers.members(paper_id):
        if member.role in (Role.AUTHOR, Role.COORDINATOR):
            people.setdefault(member.user.id, member.user)
    return sorted(people.values(), key=lambda user: user.name)


@bp.get("/papers/<int:paper_id>")
def paper(paper_id: int):
    user = me()
    paper = access.get_paper(paper_id, user)
    counts = sections.state_counts(paper_id)
    total = sum(counts.values())
    pages = max(1, -(-total // OVERVIEW_ROWS))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    rows = sections.list_sections(
        paper_id, user, offset=(page - 1) * OVERVIEW_ROWS, limit=OVERVIEW_ROWS
    )
    roles = access.roles_on(user, paper_id)
    candidates = lead_candidates(paper_id) if Role.COORDINATOR in roles else []
    moves = {row.id: sections.allowed_moves(row.section, user, roles) for row in rows}
    return render_template(
        "paper/overview.html",
        paper=paper,
        rows=rows,
        roles=roles,
        counts=counts,
        total=total,
        page=page,
        pages=pages,
        first_number=(page - 1) * OVERVIEW_ROWS + 1,
        candidates=candidates,
        moves=moves,
        show_actions=bool(candidates) or any(moves.values()),
        news=visits.news_for_paper(user, paper_id, [row.id for row in rows]),
    )


@bp.post("/sections/<int:section_id>/assignment")
def assign_section(section_id: int):
    user = me()
    section = sections.get_section(section_id, user)
    sections.update_section(
        section,
        user,
        lead_author_id=forms.optional_int("lead_author_id"),
        due_date=forms.optional_date("due_date"),
    )
    flash(_("Section %(number)s: assignment saved.", number=section.number), "success")
    return redirect(forms.back_to(url_for("web.section", section_id=section.id)))


@bp.post("/sections/<int:section_id>/state")
def change_state(section_id: int):
    user = me()
    section = sections.get_section(section_id, user)
    sections.update_section(section, user, state=forms.text("state"))
    flash(
        _(
            "Section %(number)s is now %(state)s.",
            number=section.number,
            state=i18n.label(section.state, "section_state"),
        ),
        "success",
    )
    return redirect(forms.back_to(url_for("web.section", section_id=section.id)))


def _members_page(paper, user, *, form=None, error=None, status=200):
    roles = access.roles_on(user, paper.id)
    return render_template(
        "paper/members.html",
        paper=paper,
        members=papers.members(paper.id),
        former=papers.former_members(paper.id),
        may_add=user.is_admin or Role.COORDINATOR in roles,
        roles=roles,
        all_roles=[role.value for role in Role],
        form=form or {},
        error=error,
    ), status


@bp.route("/papers/<int:paper_id>/members", methods=["GET", "POST"])
def members(paper_id: int):
    user = me()
    paper = access.get_paper(paper_id, user)
    if request.method == "GET":
        return _members_page(paper, user)
    form = {"email": forms.text("email"), "role": forms.text("role")}
    try:
        member = papers.add_member(paper, form["email"], form["role"], actor=user)
    except DomainError as refused:
        session.rollback()
        return _members_page(
            paper, user, form=form, error=message(refused), status=status_of(refused)
        )
    flash(
        _(
            "%(name)s is now %(role)s of this paper.",
            name=member.user.name,
            role=i18n.label(member.role, "role"),
        ),
        "success",
    )
    return redirect(url_for("web.members", paper_id=paper.id))


def _member_action(paper_id: int, act, done):
    user = me()
    paper = access.get_paper(paper_id, user)
    try:
        result = act(paper, user)
    except DomainError as refused:
        session.rollback()
        return _members_page(paper, user, error=message(refused), status=status_of(refused))
    flash(done(result), "success")
    return redirect(url_for("web.members", paper_id=paper.id))


@bp.post("/papers/<int:paper_id>/members/<int:member_id>/role")
def change_member_role(paper_id: int, member_id: int):
    return _member_action(
        paper_id,
        lambda paper, user: papers.change_role(paper, member_id, forms.text("role"), actor=user),
        lambda member: _(
            "%(name)s is now %(role)s of this paper.",
            name=member.user.name,
            role=i18n.label(member.role, "role"),
        ),
    )


@bp.post("/papers/<int:paper_id>/members/<int:member_id>/remove")
def remove_member(paper_id: int, member_id: int):
    return _member_action(
        paper_id,
        lambda paper, user: papers.remove_member(paper, member_id, actor=user),
        lambda removed: _(
            "%(name)s no longer holds that role; their comments and history stay.",
            name=removed.name,
        ),
    )


FEED_ARGS = ("section", "person", "sector", "action", "about")


@bp.get("/papers/<int:paper_id>/activity")
def paper_activity(paper_id: int):
    user = me()
    paper = access.get_paper(paper_id, user)
    before = request.args.get("before", type=int)
    actions = [a for a in request.args.getlist("action") if a in i18n.ACTIONS]
    filters = activity.FeedFilters(
        section_id=request.args.get("section", type=int),
        actor_id=request.args.get("person", type=int),
        sector=request.args.get("sector") or None,
        actions=tuple(actions),
        about_me=request.args.get("about") == "me",
    )
    entries = activity.list_for_paper(
        paper_id, limit=ACTIVITY_PAGE + 1, before_id=before, filters=filters, reader=user
    )
    kept = {
        name: request.args.getlist(name) if name == "action" else request.args.get(name)
        for name in FEED_ARGS
        if request.args.get(name)
    }
    people = {m.user.id: m.user for m in papers.members(paper_id)}
    return render_template(
        "paper/activity.html",
        paper=paper,
        roles=access.roles_on(user, paper_id),
        entries=feed.describe(entries[:ACTIVITY_PAGE], paper, user),
        older=entries[ACTIVITY_PAGE - 1].id if len(entries) > ACTIVITY_PAGE else None,
        filters=filters,
        kept=kept,
        sections=sections.list_sections(paper_id, user),
        people=sorted(people.values(), key=lambda person: person.name),
        sectors=sorted({person.sector.code for person in people.values()}),
        actions=sorted(i18n.ACTIONS, key=lambda action: str(i18n.ACTIONS[action])),
    )
