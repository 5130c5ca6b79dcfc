"""Who holds which role on which paper, and the checks the other services make with it."""

from __future__ import annotations

from sqlalchemy import select

from app.db import session
from app.models import Paper, PaperMember, Role, Section, User
from app.services.errors import Forbidden, NotFound


def roles_on(user: User, paper_id: int) -> set[str]:
    """The user's roles on one paper (admins hold none implicitly but may read everything)."""
    rows = session.scalars(
        select(PaperMember.role).where(
            PaperMember.paper_id == paper_id, PaperMember.user_id == user.id
        )
    )
    return set(rows)


def leads(section: Section, user: User, roles: set[str]) -> bool:
    """The user is the section's lead author (an author of the paper named as its lead)."""
    return section.lead_author_id == user.id and Role.AUTHOR in roles


def coordinates_or_leads(section: Section, user: User, roles: set[str] | None = None) -> bool:
    """The one rule behind resolving a section's comments, deciding its alignment and moving
    its state: the paper's coordinator, or the section's lead author. `roles` when the caller
    has read them already."""
    roles = roles_on(user, section.paper_id) if roles is None else roles
    return Role.COORDINATOR in roles or leads(section, user, roles)


def get_paper(paper_id: int, user: User) -> Paper:
    """The paper, if the user may read it: any member, or an admin."""
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("paper")
    if not user.is_admin and not roles_on(user, paper_id):
        # Not a member: say 404 rather than 403 so paper ids leak nothing.
        raise NotFound("paper")
    return paper


def require_role(user: User, paper_id: int, *roles: Role, action: str) -> set[str]:
    """Refuse unless the user holds one of `roles` on the paper. Returns the user's roles."""
    held = roles_on(user, paper_id)
    if not held and not user.is_admin:
        raise NotFound("paper")
    if not held & set(roles):
        raise Forbidden(
            "role_required",
            {"required_roles": list(roles), "your_roles": sorted(held), "action": action},
            roles=list(roles),
        )
    return held


def roles_by_paper(user: User) -> dict[str, list[str]]:
    """{paper_id: [roles]} for every paper the user is a member of."""
    result: dict[str, list[str]] = {}
    rows = session.execute(
        select(PaperMember.paper_id, PaperMember.role)
        .where(PaperMember.user_id == user.id)
        .order_by(PaperMember.paper_id, PaperMember.role)
    )
    for paper_id, role in rows:
        result.setdefault(str(paper_id), []).append(role)
    return result
