"""A paper: its overview (sections at a glance), assignments and states, members, activity."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from app.db import session
from app.errors import message, status_of
from app.models import Role
from app.models.sections import section_level, section_title
from app.services import access, activity, papers, sections, visits
from app.services.errors import DomainError, Forbidden, NotFound
from app.web import bp, feed, forms, i18n, templating
from app.web.auth import me

ACTIVITY_PAGE = 50
# Sections per page of the overview: the progress bar above the table counts them all.
OVERVIEW_ROWS = 50


def lead_candidates(perms: access.PaperPermissions) -> list:
    """The people who may lead a section: the paper's authors and coordinators."""
    return perms.people(Role.AUTHOR, Role.COORDINATOR)


@bp.get("/papers/<int:paper_id>")
def paper(paper_id: int):
    user = me()
    return _overview(access.get_paper(paper_id, user), user)


def _overview(paper, user, *, settings=None, settings_error=None, status=200):
    paper_id = paper.id
    perms = access.permissions(user, paper)
    overview = sections.overview_page(
        paper_id, user, page=request.args.get("page", 1, type=int), size=OVERVIEW_ROWS
    )
    rows, page = overview.rows, overview.page
    news = {row.id: visits.section_news(row) for row in rows}
    candidates = lead_candidates(perms) if perms.may_assign else []
    # A row answers what the moves and the assignment form ask of its section.
    moves = sections.allowed_moves_by_section(rows, user, paper_id)
    return render_template(
        "paper/overview.html",
        paper=paper,
        rows=rows,
        cells=_overview_cells(rows, news, paper.language),
        sections_by_id={row.id: row for row in rows},
        roles=perms.roles,
        counts=overview.counts,
        total=sum(overview.counts.values()),
        page=page,
        pages=overview.pages,
        first_number=(page - 1) * OVERVIEW_ROWS + 1,
        candidates=candidates,
        moves=moves,
        show_actions=bool(candidates) or any(moves.values()),
        settings=settings or {name: getattr(paper, name) for name in papers.SETTINGS},
        settings_error=settings_error,
    ), status


@dataclass(frozen=True, slots=True)
class OverviewCells:
    """A row of the overview as the template writes it: its cells as HTML made here, each
    label translated and each date formatted once per page; the template adds the actions.
    The markup is the one paper/overview.html had, byte for byte: fifty rows of twenty
    escaped values and a dozen tests each were most of the page's time in its template."""

    id: int
    number: str
    head: Markup  # <tr>, the number, and the title with what is new there
    cells: Markup  # state, lead author, due date, open comments


_ANY_ID = 8_642_097_531  # a section id no real link holds, replaced by the row's


def _overview_cells(rows, news: dict, language: str) -> list[OverviewCells]:
    # As the template's _() gives them: translations are trusted, not escaped.
    number_label, state_label, lead_label, due_label, open_label = (
        Markup(_(text)) for text in ("No.", "State", "Lead author", "Due", "Open comments")
    )
    unassigned = Markup('<span class="muted">%s</span>') % Markup(_("unassigned"))
    no_date = Markup('<span class="muted">%s</span>') % Markup(_("no date"))
    overdue_text = Markup(" <strong>%s</strong>") % Markup(_("overdue"))
    open_comments_text = Markup(_("open comments"))
    not_opened = Markup('<span class="badge new" title="%s">%s</span>\n            ') % (
        Markup(_("You have not opened this section yet")),
        Markup(_("New")),
    )
    see_changes, text_changed = (
        Markup(_("See the changes since my last visit")),
        Markup(_("Text changed")),
    )
    write_date = templating.date_writer()
    # One url_for per page, not one per row: each row's address is this one with its id.
    before_id, _id, after_id = url_for("web.section", section_id=_ANY_ID).rpartition(str(_ANY_ID))
    states: dict = {}
    due_texts: dict = {}
    cells = []
    for row in rows:
        state, due = row.state, row.due_date
        if state not in states:
            states[state] = Markup(
                '<td data-label="%s"><span class="badge state-%s">%s</span></td>'
            ) % (state_label, state, i18n.label(state, "section_state"))
        overdue = templating.is_overdue(due, state)
        if due is None:
            due_cell = no_date
        else:
            if due not in due_texts:
                due_texts[due] = escape(due.isoformat()), escape(write_date(due))
            due_iso, due_text = due_texts[due]
            due_cell = (
                f'\n<span class="due{" overdue" if overdue else ""}">'
                f'<time datetime="{due_iso}">{due_text}</time>'
                f"{overdue_text if overdue else ''}</span>\n"
            )
        if row.lead_name is None:
            lead_cell = unassigned
        else:
            lead_cell = (
                f'{escape(row.lead_name)} <span class="muted">({escape(row.lead_sector)})</span>'
            )
        href = escape(f"{before_id}{row.id}{after_id}")
        count = row.open_comments
        count_cell = (
            f'<a class="pill comments" href="{href}#comments">{count}'
            f'<span class="visually-hidden"> {open_comments_text}</span></a>'
            if count
            else '<span class="muted">0</span>'
        )
        new = news.get(row.id)
        if new is None or not new.anything:
            badges = ""
        elif not new.visited:
            badges = not_opened
        else:
            badges = (
                f"\n            {_news_badges(new, href, see_changes, text_changed)}\n            "
            )
        if badges:
            badges = (
                f'\n          <span class="news">\n            {badges}'
                "\n          </span>\n          "
            )
        cells.append(
            OverviewCells(
                id=row.id,
                number=row.number,
                head=Markup(
                    f'<tr class="level-{section_level(row.number)}'
                    f'{" overdue" if overdue else ""}" id="row-{row.id}">\n'
                    f'        <td class="col-number" data-label="{number_label}">'
                    f"{escape(row.number)}</td>\n        \n"
                    f'        <th scope="row" class="col-title"><a href="{href}">'
                    f"{escape(section_title(row.title_en, row.title_fr, language))}</a>\n"
                    f"          {badges}\n        </th>"
                ),
                cells=Markup(
                    f"{states[state]}\n"
                    f'        <td data-label="{lead_label}">{lead_cell}</td>\n'
                    f'        <td data-label="{due_label}">{due_cell}</td>\n'
                    f'        <td class="col-count" data-label="{open_label}">\n'
                    f"          {count_cell}\n"
                    f"        </td>"
                ),
            )
        )
    return cells


def _news_badges(new, href: str, see_changes: Markup, text_changed: Markup) -> str:
    """A visited section's badges: its text changed, new comments, new replies."""
    changed = comments = replies = ""
    if new.text_changed:
        since = {"from": new.seen_revision_id} if new.seen_revision_id else {}
        history = escape(url_for("web.section_history", section_id=new.section_id, **since))
        changed = f'<a class="badge new" href="{history}" title="{see_changes}">{text_changed}</a>'
    if new.new_comments:
        count = ngettext("%(num)d new comment", "%(num)d new comments", new.new_comments)
        comments = f'<a class="badge new" href="{href}#comments">{Markup(count)}</a>'
    if new.new_replies:
        count = ngettext("%(num)d new reply", "%(num)d new replies", new.new_replies)
        replies = f'<a class="badge new" href="{href}#comments">{Markup(count)}</a>'
    return f"{changed}\n            {comments}\n            {replies}"


@bp.post("/papers/<int:paper_id>/settings")
def paper_settings(paper_id: int):
    """The coordinator's document settings: symbol, disclaimer page, numbered paragraphs."""
    user = me()
    paper = access.get_paper(paper_id, user)
    form = {
        "document_symbol": forms.text("document_symbol"),
        "disclaimer": forms.checked("disclaimer"),
        "numbered_paragraphs": forms.checked("numbered_paragraphs"),
    }
    try:
        papers.update_settings(paper, user, **form)
    except DomainError as refused:
        session.rollback()
        return _overview(
            paper, user, settings=form, settings_error=message(refused), status=status_of(refused)
        )
    flash(_("Document settings saved; the next exports use them."), "success")
    return redirect(url_for("web.paper", paper_id=paper.id) + "#document-settings")


@bp.post("/sections/<int:section_id>/assignment")
def assign_section(section_id: int):
    user = me()
    section = sections.get_section(section_id, user)
    back = forms.back_to(url_for("web.section", section_id=section.id))
    try:
        sections.update_section(
            section,
            user,
            lead_author_id=forms.optional_int("lead_author_id"),
            due_date=forms.optional_date("due_date"),
        )
    except DomainError as refused:
        return _refused(refused, back)
    flash(_("Section %(number)s: assignment saved.", number=section.number), "success")
    return redirect(back)


@bp.post("/sections/<int:section_id>/state")
def change_state(section_id: int):
    user = me()
    section = sections.get_section(section_id, user)
    back = forms.back_to(url_for("web.section", section_id=section.id))
    try:
        sections.update_section(section, user, state=forms.text("state"))
    except DomainError as refused:
        return _refused(refused, back)
    flash(
        _(
            "Section %(number)s is now %(state)s.",
            number=section.number,
            state=i18n.label(section.state, "section_state"),
        ),
        "success",
    )
    return redirect(back)


def _refused(refused: DomainError, back: str):
    """A refused assignment or move: back to the page it was made on (the overview's row or
    the section), the reason said there in the reader's language. Someone who may not make
    it at all (they were never shown the form) gets the error page."""
    if isinstance(refused, Forbidden | NotFound):
        raise refused
    session.rollback()
    flash(message(refused), "error")
    return redirect(back)


def _members_page(paper, user, *, form=None, error=None, status=200):
    perms = access.permissions(user, paper)
    return render_template(
        "paper/members.html",
        paper=paper,
        members=papers.members(paper.id),
        former=papers.former_members(paper.id),
        may_add=perms.may_manage_members,
        roles=perms.roles,
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
    perms = access.permissions(user, paper)
    people = {m.user.id: m.user for m in perms.members}
    return render_template(
        "paper/activity.html",
        paper=paper,
        roles=perms.roles,
        entries=feed.describe(entries[:ACTIVITY_PAGE], paper, user),
        older=entries[ACTIVITY_PAGE - 1].id if len(entries) > ACTIVITY_PAGE else None,
        filters=filters,
        kept=kept,
        sections=sections.list_sections(paper_id, user),
        people=sorted(people.values(), key=lambda person: person.name),
        sectors=sorted({person.sector.code for person in people.values()}),
        actions=sorted(i18n.ACTIONS, key=lambda action: str(i18n.ACTIONS[action])),
    )
