"""A paper's members: who holds which role, added, changed and removed by the coordinator;
and my own password. The same services as the web's Members page and My account."""

from app.api import bp, current_user
from app.api.schemas.members import (
    MemberIn,
    MemberOut,
    MemberRoleIn,
    PasswordIn,
    RemovedMemberOut,
)
from app.db import session
from app.services import access, papers, users

TAGS = ["Members"]


@bp.get("/papers/<int:paper_id>/members")
@bp.output(MemberOut(many=True))
@bp.doc(tags=TAGS, summary="The paper's members, one entry per role held, oldest first")
def list_members(paper_id: int):
    paper = access.get_paper(paper_id, current_user())
    return papers.members(paper.id)


@bp.post("/papers/<int:paper_id>/members")
@bp.input(MemberIn, arg_name="data")
@bp.output(MemberOut, status_code=201)
@bp.doc(
    tags=TAGS,
    summary="Give an existing account a role on the paper (the coordinator or an admin)",
    description="400 `member_unknown_email` when no account has the e-mail; 409 "
    "`member_role_taken` when the person already holds the role.",
)
def add_member(paper_id: int, data):
    user = current_user()
    paper = access.get_paper(paper_id, user)
    return papers.add_member(paper, data["email"], data["role"], actor=user)


@bp.patch("/papers/<int:paper_id>/members/<int:member_id>")
@bp.input(MemberRoleIn, arg_name="data")
@bp.output(MemberOut)
@bp.doc(
    tags=TAGS,
    summary="Give a member another role in place of this one (the coordinator or an admin)",
    description="409 `last_coordinator` when it would leave the paper without a coordinator; "
    "409 `member_role_taken` when the person already holds the new role.",
)
def change_member_role(paper_id: int, member_id: int, data):
    user = current_user()
    paper = access.get_paper(paper_id, user)
    return papers.change_role(paper, member_id, data["role"], actor=user)


@bp.delete("/papers/<int:paper_id>/members/<int:member_id>")
@bp.output(RemovedMemberOut)
@bp.doc(
    tags=TAGS,
    summary="Take a role away from a member (the coordinator or an admin)",
    description="Their revisions, comments, positions and history stay; once they hold no "
    "role they are shown as a former member. 409 `last_coordinator` for the only coordinator.",
)
def remove_member(paper_id: int, member_id: int):
    user = current_user()
    paper = access.get_paper(paper_id, user)
    removed = papers.remove_member(paper, member_id, actor=user)
    session.flush()
    return {
        "user_id": removed.id,
        "name": removed.name,
        "email": removed.email,
        "former_member": removed.id in {person.id for person in papers.former_members(paper.id)},
    }


@bp.post("/me/password")
@bp.input(PasswordIn, arg_name="data")
@bp.output({}, status_code=204)
@bp.doc(
    tags=["Me"],
    summary="Change my password, proving I know the current one",
    description="422 `password_wrong` when the current password is not mine; 422 "
    "`password_too_short` under 8 characters. My signed-in web sessions end; API tokens stay.",
)
def change_password(data):
    user = current_user()
    users.change_password(
        user, data["current_password"], data["new_password"], data["new_password"]
    )
    return ""
