"""Papers: creating one (from a template or blank), its members, and what a user sees."""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.db import session
from app.models import (
    Activity,
    ActivityAction,
    Language,
    Paper,
    PaperMember,
    Role,
    Section,
    User,
)
from app.services import access, activity, reference, revisions
from app.services.errors import BadInput, Conflict, NotFound
from app.services.templates import PaperTemplate, opening_summary, read_template
from app.services.users import find_by_email, get_sector, system_user

log = logging.getLogger(__name__)


def create_paper(
    actor: User | None,
    *,
    title: str | None = None,
    language: str = "en",
    template_dir: Path | None = None,
) -> Paper:
    """A new paper, blank or from a template; its creator (None: the CLI) becomes coordinator."""
    if language not in {lang.value for lang in Language}:
        raise BadInput("paper_language", language=language)
    template = read_template(template_dir) if template_dir else None
    title = (title or "").strip() or (template.title(language) if template else "")
    if not title:
        raise BadInput("paper_title")
    paper = Paper(
        title=title,
        language=language,
        description=template.description(language) if template else "",
        template=template.slug if template else None,
    )
    if template:
        paper.frameworks = reference.find_frameworks(list(template.frameworks))
    paper.created_by_id = actor.id if actor else None
    session.add(paper)
    session.flush()
    if actor is not None:
        session.add(PaperMember(paper_id=paper.id, user_id=actor.id, role=Role.COORDINATOR))
    created = {"title": title, "language": language, "template": paper.template}
    untranslated = list(template.untranslated(language)) if template else []
    if untranslated:
        # Said wherever someone would look: this entry, each section's first revision, the log.
        created["untranslated_sections"] = untranslated
        log.warning(
            "paper %s (%s) from template %s: sections %s start in another language, the "
            "template has no %s text for them",
            paper.id,
            language,
            template.slug,
            ", ".join(untranslated),
            language,
        )
    activity.record(actor, ActivityAction.PAPER_CREATED, paper, paper_id=paper.id, after=created)
    if template:
        _add_template_sections(paper, template, actor)
    session.flush()
    return paper


def _add_template_sections(paper: Paper, template: PaperTemplate, actor: User | None) -> None:
    by_number: dict[str, Section] = {}
    sector = functools.cache(get_sector)  # a template names the same few sectors again and again
    openings = []
    for position, spec in enumerate(template.sections):
        section = Section(
            paper_id=paper.id,
            parent_id=by_number[spec.parent_number].id if spec.parent_number else None,
            position=position,
            number=spec.number,
            title_en=spec.title_en,
            title_fr=spec.title_fr,
            brief=spec.brief,
            brief_fr=spec.brief_fr,
            expected_items=list(spec.expected_items),
            contributing_sectors=[sector(code) for code in spec.reviewers],
        )
        session.add(section)
        session.flush()
        by_number[spec.number] = section
        opening = template.opening_text(spec, paper.language)
        if opening is not None:
            summary = opening_summary(paper.language, opening.language)
            openings.append((section, opening.text, summary))
    revisions.open_sections(openings, actor or system_user())


def list_papers(user: User) -> list[Paper]:
    """The papers the user is a member of; every paper for an admin."""
    query = select(Paper).order_by(Paper.id).options(selectinload(Paper.frameworks))
    if not user.is_admin:
        member_of = select(PaperMember.paper_id).where(PaperMember.user_id == user.id)
        query = query.where(Paper.id.in_(member_of))
    return list(session.scalars(query))


def members(paper_id: int, role: Role | None = None) -> list[PaperMember]:
    query = select(PaperMember).where(PaperMember.paper_id == paper_id)
    if role:
        query = query.where(PaperMember.role == role)
    return list(session.scalars(query.order_by(PaperMember.id)))


def add_member(paper: Paper, email: str, role: str, *, actor: User | None) -> PaperMember:
    """Give a user a role on a paper. The coordinator (or an admin, or the CLI) may."""
    if actor is not None and not actor.is_admin:
        access.permissions(actor, paper.id).require_role(Role.COORDINATOR, action="add members")
    if role not in {r.value for r in Role}:
        raise BadInput("unknown_role", role=role)
    user = find_by_email(email)
    if user is None:
        raise BadInput("member_unknown_email", email=email)
    exists = session.scalar(
        select(PaperMember).where(
            PaperMember.paper_id == paper.id,
            PaperMember.user_id == user.id,
            PaperMember.role == role,
        )
    )
    if exists:
        raise Conflict("member_role_taken", name=user.name, role=role)
    member = PaperMember(paper_id=paper.id, user_id=user.id, role=role)
    session.add(member)
    session.flush()
    access.forget(paper.id)
    activity.record(
        actor,
        ActivityAction.MEMBER_ADDED,
        member,
        paper_id=paper.id,
        after={"user": user.email, "role": role},
    )
    return member


# A UN document symbol: letters, digits, spaces and / . - ( ), e.g. "CLT/2027/PP/1",
# "41 C/5 Add.1", "E/CN.6/2027/L.1"; the column holds 60 characters.
SYMBOL_MAX = 60
_SYMBOL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9/.()-]| (?! ))*")
# The settings a coordinator may change, and how each is recorded in the activity feed.
SETTINGS = ("document_symbol", "disclaimer", "numbered_paragraphs")


def update_settings(
    paper: Paper,
    actor: User,
    *,
    document_symbol: str | None = None,
    disclaimer: bool | None = None,
    numbered_paragraphs: bool | None = None,
) -> Paper:
    """Change the paper's document settings (what its exports show); None leaves one as it is.

    The coordinator does. The change is recorded in the activity feed with what it was before;
    nothing is recorded when nothing changes. Exports read the settings when they are made and
    record them in their options, so a version made earlier keeps its files as they were.
    """
    access.permissions(actor, paper.id).require_role(
        Role.COORDINATOR, action="change the document settings"
    )
    wanted: dict[str, str | bool] = {}
    if document_symbol is not None:
        wanted["document_symbol"] = _symbol(document_symbol)
    for name, value in (("disclaimer", disclaimer), ("numbered_paragraphs", numbered_paragraphs)):
        if value is not None:
            if not isinstance(value, bool):
                raise BadInput("paper_setting_invalid", field=name)
            wanted[name] = value
    before = {name: getattr(paper, name) for name in wanted if getattr(paper, name) != wanted[name]}
    if not before:
        return paper
    after = {name: wanted[name] for name in before}
    for name, value in after.items():
        setattr(paper, name, value)
    session.flush()
    activity.record(
        actor,
        ActivityAction.PAPER_SETTINGS_CHANGED,
        paper,
        paper_id=paper.id,
        before=before,
        after=after,
    )
    return paper


def _symbol(value: str) -> str:
    """The document symbol as stored: trimmed; "" clears it. Refused unless it is one."""
    symbol = value.strip()
    if symbol and (len(symbol) > SYMBOL_MAX or not _SYMBOL.fullmatch(symbol)):
        raise BadInput("document_symbol_invalid", field="document_symbol", limit=SYMBOL_MAX)
    return symbol


def _member(paper: Paper, member_id: int) -> PaperMember:
    member = session.get(PaperMember, member_id)
    if member is None or member.paper_id != paper.id:
        raise NotFound("member")
    return member


def _keep_a_coordinator(paper: Paper, member: PaperMember) -> None:
    """A paper always keeps one coordinator: someone must be able to manage it."""
    if member.role != Role.COORDINATOR:
        return
    others = session.scalar(
        select(func.count())
        .select_from(PaperMember)
        .where(
            PaperMember.paper_id == paper.id,
            PaperMember.role == Role.COORDINATOR,
            PaperMember.id != member.id,
        )
    )
    if not others:
        raise Conflict("last_coordinator", name=member.user.name)


def change_role(paper: Paper, member_id: int, role: str, *, actor: User) -> PaperMember:
    """Give a member another role in place of the one they hold (the coordinator does)."""
    if not actor.is_admin:
        access.permissions(actor, paper.id).require_role(Role.COORDINATOR, action="change roles")
    member = _member(paper, member_id)
    if role not in {r.value for r in Role}:
        raise BadInput("unknown_role", role=role)
    if role == member.role:
        return member
    if session.scalar(
        select(PaperMember.id).where(
            PaperMember.paper_id == paper.id,
            PaperMember.user_id == member.user_id,
            PaperMember.role == role,
        )
    ):
        raise Conflict("member_role_taken", name=member.user.name, role=role)
    _keep_a_coordinator(paper, member)
    before = member.role
    member.role = role
    session.flush()
    access.forget(paper.id)
    activity.record(
        actor,
        ActivityAction.MEMBER_ROLE_CHANGED,
        member,
        paper_id=paper.id,
        before={"user": member.user.email, "role": before},
        after={"user": member.user.email, "role": role},
    )
    return member


def remove_member(paper: Paper, member_id: int, *, actor: User) -> User:
    """Take a role away from a member. Their revisions, comments, positions and history stay;
    once they hold no role they are shown as a former member."""
    if not actor.is_admin:
        access.permissions(actor, paper.id).require_role(Role.COORDINATOR, action="remove members")
    member = _member(paper, member_id)
    _keep_a_coordinator(paper, member)
    user, role = member.user, member.role
    session.delete(member)
    session.flush()
    access.forget(paper.id)
    activity.record(
        actor,
        ActivityAction.MEMBER_REMOVED,
        paper,
        paper_id=paper.id,
        before={"user": user.email, "user_id": user.id, "role": role},
    )
    return user


def former_members(paper_id: int) -> list[User]:
    """People who held a role on the paper and hold none now, by name."""
    current = select(PaperMember.user_id).where(PaperMember.paper_id == paper_id)
    removed = {
        entry.before.get("user_id")
        for entry in session.scalars(
            select(Activity).where(
                Activity.paper_id == paper_id, Activity.action == ActivityAction.MEMBER_REMOVED
            )
        )
        if entry.before
    }
    if not removed:
        return []
    return list(
        session.scalars(
            select(User).where(User.id.in_(removed), User.id.not_in(current)).order_by(User.name)
        )
    )
