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


# Until the notifications' mailer lands, links go through this one function, which tests
# (and an operator reading the log) observe; switching to the mailer changes only its body.
OUTBOX: list[tuple[str, str, str]] = []


def send(user: User, purpose: AccountLinkPurpose, link: str) -> None:
    """Send the person their link (for now: kept in OUTBOX and logged without the token)."""
    OUTBOX.append((user.email, purpose.value, link))
    log.info("%s link made for user %s", purpose.value, user.id)
