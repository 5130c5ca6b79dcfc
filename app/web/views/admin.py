"""Administration (users, API tokens) and my account (my tokens, my language).

A new API token is shown once, in the response to the form that made it, and never again:
only its hash is kept.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user

from app.db import session
from app.errors import message, status_of
from app.services import access, account_links, papers, reference, self_registration, users
from app.services.errors import DomainError
from app.web import bp, forms, oidc
from app.web.auth import Account, me


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users():
    actor = me()
    form, error, status = {}, None, 200
    if request.method == "POST":
        form = {name: forms.text(name) for name in ("email", "name", "sector", "job_title")}
        form["is_admin"] = forms.checked("is_admin")
        try:
            created = users.create_user(
                form["email"],
                form["name"],
                form["sector"],
                password=request.form.get("password") or None,
                is_admin=form["is_admin"],
                job_title=form["job_title"],
                actor=actor,
            )
        except DomainError as refused:
            # The form comes back with what was typed (but the password) and the reason.
            session.rollback()
            error, status = message(refused), status_of(refused)
        else:
            if not created.password_hash:
                # No password given: the person sets their own through a 7-day invitation.
                account_links.invite(created, _link_for("web.accept_invitation"))
                flash(
                    _("Account created for %(name)s; an invitation was sent.", name=created.name),
                    "success",
                )
            else:
                flash(_("Account created for %(name)s.", name=created.name), "success")
            return redirect(url_for("web.admin_user", user_id=created.id))
    return render_template(
        "admin/users.html",
        people=users.list_users(actor),
        sectors=reference.list_sectors(),
        form=form,
        error=error,
    ), status


def _user_page(person, actor, **extra):
    """An account as the admin sees it: its tokens, and its roles paper by paper."""
    tokens = users.list_tokens(person, actor=actor)
    visible = {paper.id: paper for paper in papers.list_papers(actor)}
    roles = [
        (visible[int(paper_id)], held)
        for paper_id, held in access.roles_by_paper(person).items()
        if int(paper_id) in visible
    ]
    return render_template("admin/user.html", person=person, tokens=tokens, roles=roles, **extra)


@bp.get("/admin/users/<int:user_id>")
def admin_user(user_id: int):
    return _user_page(users.get_user(user_id), me())


@bp.post("/admin/users/<int:user_id>/active")
def admin_set_active(user_id: int):
    person = users.get_user(user_id)
    active = forms.checked("active")
    users.set_active(person, active, actor=me())
    if active:
        flash(_("%(name)s can sign in again.", name=person.name), "success")
    else:
        flash(_("%(name)s is disabled and signed out everywhere.", name=person.name), "success")
    return redirect(url_for("web.admin_user", user_id=person.id))


@bp.post("/admin/users/<int:user_id>/tokens")
def admin_create_token(user_id: int):
    actor = me()
    person = users.get_user(user_id)
    token = users.create_token(person, forms.text("label"), actor=actor)
    return _user_page(person, actor, new_token=token)


@bp.post("/admin/users/<int:user_id>/job-title")
def admin_job_title(user_id: int):
    actor = me()
    person = users.get_user(user_id)
    value = request.form.get("job_title", "")
    try:
        users.set_job_title(person, value, actor=actor)
    except DomainError as refused:
        session.rollback()
        page = _user_page(person, actor, job_title_value=value, job_title_error=message(refused))
        return page, status_of(refused)
    flash(_("Job title saved."), "success")
    return redirect(url_for("web.admin_user", user_id=person.id))


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    users.revoke_token(token_id, actor=me())
    flash(_("The token is revoked: it no longer opens the API."), "success")
    return redirect(forms.back_to(url_for("web.account")))


@bp.route("/account", methods=["GET", "POST"])
def account():
    user = me()
    new_token = None
    if request.method == "POST":
        new_token = users.create_token(user, forms.text("label"), actor=user)
    return render_template(
        "account.html", person=user, tokens=users.list_tokens(user, actor=user), new_token=new_token
    )


@bp.post("/account/job-title")
def account_job_title():
    user = me()
    value = request.form.get("job_title", "")
    try:
        users.set_job_title(user, value, actor=user)
    except DomainError as refused:
        session.rollback()
        return render_template(
            "account.html",
            person=user,
            tokens=users.list_tokens(user, actor=user),
            job_title_value=value,
            job_title_error=message(refused),
        ), status_of(refused)
    flash(_("Job title saved."), "success")
    return redirect(url_for("web.account"))


@bp.post("/account/password")
def change_password():
    user = me()
    try:
        users.change_password(
            user,
            request.form.get("current_password", ""),
            request.form.get("new_password", ""),
            request.form.get("confirm_password", ""),
        )
    except DomainError as refused:
        session.rollback()
        # Passwords are never sent back into a page: the fields come back empty.
        return render_template(
            "account.html",
            person=user,
            tokens=users.list_tokens(user, actor=user),
            password_error=message(refused),
        ), status_of(refused)
    # The new password ended every session, this one included: keep this one signed in.
    login_user(Account(user))
    flash(_("Your password is changed; your other sessions are signed out."), "success")
    return redirect(url_for("web.account"))


def _link_for(endpoint: str):
    return lambda token: url_for(endpoint, token=token, _external=True)


@bp.route("/admin/self-registration", methods=["GET", "POST"])
def admin_self_registration():
    """The e-mail domains whose people may create their account on first organisation sign-in."""
    actor = me()
    form, error, status = {}, None, 200
    if request.method == "POST":
        form = {name: forms.text(name) for name in ("domain", "sector")}
        try:
            added = self_registration.add_domain(form["domain"], form["sector"], actor=actor)
        except DomainError as refused:
            session.rollback()
            error, status = message(refused), status_of(refused)
        else:
            flash(
                _(
                    "People with an e-mail at %(domain)s can now create their account by "
                    "signing in with their organisation account.",
                    domain=added.domain,
                ),
                "success",
            )
            return redirect(url_for("web.admin_self_registration"))
    return render_template(
        "admin/self_registration.html",
        domains=self_registration.list_domains(actor, oidc.configured_domains()),
        sectors=reference.list_sectors(),
        form=form,
        error=error,
        sso=oidc.configured(),
    ), status


@bp.post("/admin/self-registration/<int:domain_id>/delete")
def admin_close_domain(domain_id: int):
    self_registration.remove_domain(domain_id, actor=me())
    flash(_("The domain is closed: its new people must be invited."), "success")
    return redirect(url_for("web.admin_self_registration"))
