"""Who may do what on a paper: one `PaperPermissions` per user and paper, read once.

The services refuse through it and the pages ask it what to offer, so that a rule ("the
coordinator or the section's lead author resolves its comments") is written here once.
`permissions(user, paper)` is memoised for the request: a page that asks ten questions
reads the paper's members once.

    perms = access.permissions(user, paper)
    perms.require(perms.may_resolve_in(section), "resolve_comments")

An endpoint whose one question is "may they read it?" (a long list, a report) asks it with
`get_paper_to_read` / `get_section_to_read`: the user's own roles, read with the paper or
section in one small statement, under the same rule as `may_read`.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import and_, select

from app.db import session
from app.models import Comment, Paper, PaperMember, Role, Section, User
from app.services.errors import Forbidden, NotFound

# Who comments on sections (and imports a Word file of comments), and who replies.
COMMENTERS = (Role.REVIEWER, Role.COORDINATOR, Role.AUTHOR)
REPLIERS = (Role.REVIEWER, Role.COORDINATOR, Role.AUTHOR, Role.SIGNATORY)


class PaperPermissions:
    """What `user` may do on one paper. The paper's members are read once, in one statement;
    every question after that is answered from memory."""

    def __init__(self, user: User, paper: Paper | int):
        self.user = user
        self.paper_id = paper if isinstance(paper, int) else paper.id
        # PaperMember.user is loaded with it (lazy="joined").
        self.members: list[PaperMember] = list(
            session.scalars(
                select(PaperMember)
                .where(PaperMember.paper_id == self.paper_id)
                .order_by(PaperMember.id)
            ).unique()
        )
        self.roles: frozenset[str] = frozenset(
            member.role for member in self.members if member.user_id == user.id
        )

    # --- who they are on the paper ---------------------------------------------------------

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    @property
    def may_read(self) -> bool:
        """Any member reads the paper; so does an admin, who holds no role implicitly."""
        return self.is_member or self.user.is_admin

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    def leads(self, section: Section) -> bool:
        """The section's lead author (an author of the paper named as its lead)."""
        return section.lead_author_id == self.user.id and Role.AUTHOR in self.roles

    def coordinates_or_leads(self, section: Section) -> bool:
        """The one rule behind resolving a section's comments, deciding its alignment and
        moving its state: the paper's coordinator, or the section's lead author."""
        return self.is_coordinator or self.leads(section)

    # --- what they may do ------------------------------------------------------------------

    def may_write(self, section: Section) -> bool:
        """The coordinator, the lead author, and authors from a contributing sector write."""
        if self.is_coordinator:
            return True
        if Role.AUTHOR not in self.roles:
            return False
        return section.lead_author_id == self.user.id or self.user.sector_id in {
            sector.id for sector in section.contributing_sectors
        }

    @property
    def may_edit_sections(self) -> bool:
        return self.has(Role.COORDINATOR, Role.AUTHOR)

    @property
    def may_assign(self) -> bool:
        """Lead author, due date and contributing sectors: the coordinator's."""
        return self.is_coordinator

    def may_move(self, section: Section, current: str, target: str) -> bool:
        """The coordinator makes every move; a lead author the few the workflow gives them."""
        from app.services.sections import LEAD_AUTHOR_MOVES

        return self.is_coordinator or (
            self.leads(section) and (current, target) in LEAD_AUTHOR_MOVES
        )

    @property
    def may_comment(self) -> bool:
        return self.has(*COMMENTERS)

    @property
    def may_reply(self) -> bool:
        return self.has(*REPLIERS)

    def may_resolve_in(self, section: Section) -> bool:
        """Resolving a section's comments: its lead author, or the coordinator."""
        return self.coordinates_or_leads(section)

    def may_resolve(self, comment: Comment) -> bool:
        return self.may_resolve_in(session.get(Section, comment.section_id))

    @property
    def may_reopen(self) -> bool:
        return self.is_coordinator

    def may_decide_alignment(self, section: Section | None) -> bool:
        """A section's decisions: the coordinator or its lead author; the whole paper's
        (`section` None): the coordinator."""
        return self.coordinates_or_leads(section) if section is not None else self.is_coordinator

    @property
    def may_choose_frameworks(self) -> bool:
        return self.is_coordinator

    @property
    def may_open_round(self) -> bool:
        """Opening, extending and closing review rounds: the coordinator's."""
        return self.is_coordinator

    @property
    def may_comment_in_rounds(self) -> bool:
        """A round's comments come from reviewers (and the coordinator), of invited sectors."""
        return self.has(Role.REVIEWER, Role.COORDINATOR)

    @property
    def may_complete_review(self) -> bool:
        """Marking a sector's review complete: its reviewers'."""
        return Role.REVIEWER in self.roles

    @property
    def may_freeze(self) -> bool:
        return self.is_coordinator

    def may_sign(self, version=None) -> bool:
        """A signatory records a position; on a version, only one frozen for signature."""
        if Role.SIGNATORY not in self.roles:
            return False
        if version is None:
            return True
        from app.models import VersionPurpose

        return version.purpose == VersionPurpose.SIGNATURE

    @property
    def may_decide_positions(self) -> bool:
        return self.is_coordinator

    @property
    def may_manage_members(self) -> bool:
        """Adding members, changing their roles, removing them: the coordinator or an admin."""
        return self.user.is_admin or self.is_coordinator

    # --- refusing --------------------------------------------------------------------------

    def require_read(self) -> None:
        """Not a member: 404 rather than 403, so that paper ids leak nothing."""
        if not self.may_read:
            raise NotFound("paper")

    def require(self, allowed: bool, reason: str, /, details=None, **params) -> None:
        """Refuse with `reason` unless `allowed`; a stranger to the paper hears "not found"."""
        self.require_read()
        if not allowed:
            raise Forbidden(reason, details, **params)

    def require_role(self, *roles: Role, action: str) -> set[str]:
        """Refuse unless the user holds one of `roles`, naming the roles the action needs."""
        self.require_read()
        if not self.has(*roles):
            raise Forbidden(
                "role_required",
                {
                    "required_roles": list(roles),
                    "your_roles": sorted(self.roles),
                    "action": action,
                },
                roles=list(roles),
            )
        return set(self.roles)

    # --- what pages list from the same read ------------------------------------------------

    def people(self, *roles: Role) -> list[User]:
        """The members holding one of `roles` (any role if none given), once each, by name."""
        found = {
            member.user.id: member.user
            for member in self.members
            if not roles or member.role in roles
        }
        return sorted(found.values(), key=lambda user: (user.name.casefold(), user.id))


def permissions(user: User, paper: Paper | int) -> PaperPermissions:
    """The user's permissions on the paper, read once per request."""
    paper_id = paper if isinstance(paper, int) else paper.id
    if not has_request_context():
        return PaperPermissions(user, paper_id)
    current = request._get_current_object()
    cache = current.__dict__.setdefault("plume_permissions", {})
    key = (user.id, paper_id)
    if key not in cache:
        cache[key] = PaperPermissions(user, paper_id)
    return cache[key]


def forget(paper_id: int) -> None:
    """The paper's members changed: the next question reads them again."""
    if has_request_context():
        cache = request._get_current_object().__dict__.get("plume_permissions", {})
        for key in [key for key in cache if key[1] == paper_id]:
            del cache[key]


def get_paper(paper_id: int, user: User | None) -> Paper:
    """The paper, if the user may read it: any member, or an admin. `None` is the command
    line, which acts for the operator and reads every paper."""
    paper = session.get(Paper, paper_id)
    if paper is None:
        raise NotFound("paper", id=paper_id)
    if user is not None:
        permissions(user, paper_id).require_read()
    return paper


# --- the one question "may they read it?", asked alone ------------------------------------
#
# An endpoint that asks nothing more of the user than whether they may read the paper need
# not read its members: the user's own roles come in the statement that reads the paper (or
# the section), and the rule is the same as PaperPermissions.may_read / require_read.


def _reader_or_not_found(user: User, paper_id: int, roles) -> None:
    cached = _cached(user, paper_id)
    if cached is not None:
        cached.require_read()
    elif not any(roles) and not user.is_admin:
        raise NotFound("paper")


def _cached(user: User, paper_id: int) -> PaperPermissions | None:
    if not has_request_context():
        return None
    cache = request._get_current_object().__dict__.get("plume_permissions", {})
    return cache.get((user.id, paper_id))


def _own_roles(user: User, paper_id_column):
    return and_(PaperMember.paper_id == paper_id_column, PaperMember.user_id == user.id)


def get_paper_to_read(paper_id: int, user: User | None) -> Paper:
    """`get_paper` in one small statement: the paper with the user's own roles on it, not
    every member (for an endpoint whose only question is whether the user may read it)."""
    if user is None or _cached(user, paper_id) is not None:
        # The command line, or a request that has read the members already: no statement more.
        return get_paper(paper_id, user)
    paper, roles = _with_own_roles(user, Paper, paper_id, Paper.id, "paper")
    _reader_or_not_found(user, paper_id, roles)
    return paper


def get_section_to_read(section_id: int, user: User) -> Section:
    """The section, if the user may read its paper (app/services/sections.py `get_section`),
    in one small statement: the section with the user's own roles on its paper."""
    section, roles = _with_own_roles(user, Section, section_id, Section.paper_id, "section")
    _reader_or_not_found(user, section.paper_id, roles)
    return section


def _with_own_roles(user: User, model, row_id: int, paper_id_column, kind: str):
    """(the row of `model` with that id, the user's roles on its paper), in one statement;
    NotFound(kind) if there is no such row."""
    rows = session.execute(
        select(model, PaperMember.role)
        .outerjoin(PaperMember, _own_roles(user, paper_id_column))
        .where(model.id == row_id)
    ).all()
    if not rows:
        raise NotFound(kind, id=row_id)
    return rows[0][0], [role for _, role in rows]


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
