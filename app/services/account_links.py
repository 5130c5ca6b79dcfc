"""Invitations and password resets: single-use links, hashed in the database, that expire.

An invitation (7 days) lets a new person set their first password; a reset (1 hour) lets a
person who forgot theirs set another. The token is shown once, in the mail; only its sha256
is stored. Using a link sets the password, spends the link (and every other open link of
the same person and purpose), and ends every session the person had.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.db import session, utcnow
from app.models import AccountLink, AccountLinkPurpose, User
from app.services import users
from app.services.errors import Invalid

log = logging.getLogger(__name__)

LIFETIMES = {
    AccountLinkPurpose.INVITATION: timedelta(days=7),
    AccountLinkPurpose.PASSWORD_RESET: timedelta(hours=1),
}
MIN_PASSWORD = 8  # as users.set_password


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue(user: User, purpose: AccountLinkPurpose) -> str:
    """A new link for the user; returns its token (shown once, in the mail)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=_hash(token),
            expires_at=utcnow() + LIFETIMES[purpose],
        )
    )
    session.flush()
    return token


def find(token: str, purpose: AccountLinkPurpose) -> AccountLink | None:
    """The link, if it exists, is unused and has not expired."""
    link = session.scalar(
        select(AccountLink).where(
            AccountLink.token_hash == _hash(token), AccountLink.purpose == purpose.value
        )
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    if not link.user.is_active:
        return None
    return link


def redeem(token: str, purpose: AccountLinkPurpose, password: str) -> User:
    """Set the password through the link, once; every session of the person ends."""
    link = find(token, purpose)
    if link is None:
        raise Invalid("account_link_invalid")
    if len(password) < MIN_PASSWORD:
        raise Invalid("password_too_short", minimum=MIN_PASSWORD)
    now = utcnow()
    for other in session.scalars(
        select(AccountLink).where(
            AccountLink.user_id == link.user_id,
            AccountLink.purpose == purpose.value,
            AccountLink.used_at.is_(None),
        )
    ):
        other.used_at = now
    users.set_password(link.user, password)
    users.end_sessions(link.user)
    session.flush()
    return link.user


def request_reset(email: str, link_for) -> None:
    """Mail a reset link if the e-mail has an active account; otherwise do nothing.

    The caller answers the same either way, so no one learns which e-mails have accounts.
    `link_for(token)` makes the link's full address.
    """
    user = users.find_by_email(email or "")
    if user is None or not user.is_active:
        return
    send(
        user,
        AccountLinkPurpose.PASSWORD_RESET,
        link_for(issue(user, AccountLinkPurpose.PASSWORD_RESET)),
    )


def invite(user: User, link_for) -> None:
    """Mail an invitation link to a person whose account was just made."""
    send(user, AccountLinkPurpose.INVITATION, link_for(issue(user, AccountLinkPurpose.INVITATION)))


SUBJECTS = {
    AccountLinkPurpose.INVITATION: _l("Plume: your invitation"),
    AccountLinkPurpose.PASSWORD_RESET: _l("Plume: choose a new password"),
}


def send(user: User, purpose: AccountLinkPurpose, link: str) -> None:
    """Mail the person their link, in their language, at once. The link is valid whether
    or not the mail could go: with the mail server down it is logged (without the token) and
    the person asks again."""
    from app import mail

    language = user.locale or "en"
    text, html = mail.render(
        "account_link",
        language,
        name=user.name,
        purpose=purpose.value,
        link=link,
        organisation=current_app.config.get("ORGANISATION", "UNESCO"),
    )
    with force_locale(language):
        subject = str(SUBJECTS[purpose])
    try:
        mail.send_now(user.email, subject, text, html, to_name=user.name)
    except mail.MailUnavailable:
        log.warning("the %s mail to user %s could not be sent: no mail server", purpose, user.id)
    else:
        log.info("%s link mailed to user %s", purpose.value, user.id)
