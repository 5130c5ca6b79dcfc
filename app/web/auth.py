"""Signing in and out with an e-mail and a password.

The session cookie carries the user's id and their `session_nonce`. Signing out changes
the nonce (users.end_sessions), and the loader refuses a cookie whose nonce is not the
user's current one or whose user is disabled, so a copied or old cookie stops working on
the server, not only in the browser that signed out.
"""

from __future__ import annotations

import secrets

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user

from app.db import session as db_session
from app.models import AccountLinkPurpose, User
from app.ratelimit import account_key, address_key, failed, limiter, login_limits
from app.services import account_links, users
from app.web import bp, i18n
from app.web.forms import safe_next

login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"


class Account:
    """The signed-in user as Flask-Login sees it; `.user` is the model the services take."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user: User):
        self.user = user

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_nonce}"


@login_manager.user_loader
def _load(cookie_id: str) -> Account | None:
    user_id, _sep, nonce = cookie_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db_session.get(User, int(user_id))
    if user is None or not user.is_active or not nonce:
        return None
    if not secrets.compare_digest(nonce, user.session_nonce):
        return None
    return Account(user)


def me() -> User:
    """The signed-in user (every page but the sign-in page has one)."""
    return current_user.user


def begin_session(user) -> None:
    """Sign the user in, by password or with their organisation account: a new session, in
    which nothing from before carries over but the language they chose, which their mail
    then speaks too."""
    chosen = session.get("lang")
    session.clear()
    login_user(Account(user))
    session.permanent = True
    if chosen:
        session["lang"] = chosen
        users.set_locale(user, chosen)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limits, key_func=address_key, methods=["POST"], deduct_when=failed)
@limiter.limit(login_limits, key_func=account_key, methods=["POST"], deduct_when=failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    email = request.form.get("email", "").strip()
    if request.method == "POST" and not current_app.config.get("PASSWORD_SIGNIN", True):
        flash(_("Sign in with your organisation account."), "error")
        return render_template("login.html", email=""), 403
    if request.method == "POST":
        user = users.check_password(email, request.form.get("password", ""))
        if user is not None:
            begin_session(user)
            return redirect(safe_next(request.args.get("next")))
        flash(_("That e-mail and password do not match an active account."), "error")
        return render_template("login.html", email=email), 401
    return render_template("login.html", email=email)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(login_limits, key_func=address_key, methods=["POST"])
def forgot_password():
    """The same answer whether or not the e-mail has an account."""
    if request.method == "POST":
        account_links.request_reset(
            request.form.get("email", "").strip(),
            lambda token: url_for("web.reset_password", token=token, _external=True),
        )
        flash(
            _(
                "If this e-mail has an account, a link to choose a new password is on its way. "
                "It works once, within an hour."
            ),
            "info",
        )
        return redirect(url_for("web.login"))
    return render_template("password_forgot.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password(token, AccountLinkPurpose.PASSWORD_RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password(token, AccountLinkPurpose.INVITATION)


def _set_password(token: str, purpose: AccountLinkPurpose):
    link = account_links.find(token, purpose)
    if link is None:
        flash(_("This link has expired or was already used. Ask for a new one."), "error")
        return render_template("password_set.html", usable=False), 404
    if request.method == "POST":
        account_links.redeem(token, purpose, request.form.get("password", ""))
        db_session.commit()
        logout_user()
        session.clear()
        flash(_("Your password is set. Sign in with it."), "success")
        return redirect(url_for("web.login"))
    return render_template("password_set.html", usable=True, email=link.user.email)


@bp.post("/logout")
def logout():
    users.end_sessions(me())
    logout_user()
    language = i18n.current_language()
    session.clear()
    session["lang"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.login"))


def init_app(app) -> None:
    login_manager.init_app(app)
