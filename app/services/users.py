"""Users, their passwords and their API tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.sql import bindparam

from app.db import session, utcnow
from app.models import ActivityAction, ApiToken, Sector, User
from app.services import activity
from app.services.errors import BadInput, Conflict, Forbidden, Invalid, NotFound

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _hasher() -> PasswordHasher:
    """The Argon2 hasher of the app's PASSWORD_HASH_PROFILE: RFC 9106's low-memory profile
    (argon2-cffi's default) unless a test run names a cheaper one."""
    return _hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


@functools.cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_sector(code: str) -> Sector:
    sector = session.scalar(select(Sector).where(Sector.code == code.upper()))
    if sector is None:
        known = session.scalars(select(Sector.code).order_by(Sector.code)).all()
        raise BadInput("unknown_sector", {"known_sectors": known}, sector=code)
    return sector


def find_by_email(email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_user(user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


def create_user(
    email: str,
    name: str,
    sector_code: str,
    *,
    password: str | None = None,
    is_admin: bool = False,
    job_title: str = "",
    actor: User | None = None,
) -> User:
    """A new user in one sector; the e-mail is unique, case-insensitively.

    `actor` is the admin creating the account (None: the command line). The job title is the
    line printed under the person's name on a sign-off page (optional; see set_job_title).
    """
    if actor is not None:
        require_admin(actor, "create users")
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise BadInput("user_email", email=email)
    if not name.strip():
        raise BadInput("user_name")
    title = _job_title(job_title)
    if find_by_email(email):
        raise Conflict("user_email_taken", email=email)
    sector = get_sector(sector_code)
    user = User(
        email=email,
        name=name.strip(),
        job_title=title,
        sector=sector,
        is_admin=is_admin,
        session_nonce=secrets.token_hex(16),
    )
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    activity.record(
        actor, ActivityAction.USER_CREATED, user, after={"email": email, "sector": sector.code}
    )
    return user


def set_password(user: User, password: str) -> None:
    """Store an Argon2 hash; a new password also ends every signed-in session."""
    if len(password) < 8:
        raise BadInput("password_too_short")
    user.password_hash = _hasher().hash(password)
    user.session_nonce = secrets.token_hex(16)


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """The user changes their own password, proving they know the current one. Their other
    sessions end (set_password changes the nonce)."""
    try:
        _hasher().verify(user.password_hash or "", current or "")
    except (VerificationError, InvalidHashError):
        raise Invalid("password_wrong") from None
    if new != confirm:
        raise Invalid("password_mismatch")
    if len(new or "") < 8:
        raise Invalid("password_too_short")
    set_password(user, new)
    activity.record(user, ActivityAction.USER_PASSWORD_CHANGED, user)


def _dummy_hash() -> str:
    return _dummy_hash_for(current_app.config["PASSWORD_HASH_PROFILE"])


@functools.cache
def _dummy_hash_for(profile: str) -> str:
    return _hasher_for(profile).hash(secrets.token_hex(16))


def check_password(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    An unknown or disabled account costs the same Argon2 work as a known one (a dummy hash
    is verified), so the time taken does not tell which e-mails have accounts.
    """
    user = find_by_email(email)
    usable = user is not None and user.is_active and bool(user.password_hash)
    try:
        _hasher().verify(user.password_hash if usable else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user if usable else None


def end_sessions(user: User) -> None:
    """Invalidate every session cookie the user holds (sign-out, disabling)."""
    user.session_nonce = secrets.token_hex(16)


def require_admin(actor: User, action: str) -> None:
    if not actor.is_admin:
        raise Forbidden("admin_only", {"action": action})


def list_users(actor: User) -> list[User]:
    """Every account that can sign in, by name (the template's system user is not one)."""
    require_admin(actor, "list users")
    return list(session.scalars(select(User).where(User.email != SYSTEM_EMAIL).order_by(User.name)))


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Enable or disable an account; disabling also ends its sessions at once."""
    require_admin(actor, "enable or disable users")
    if user.id == actor.id and not active:
        raise Conflict("disable_own_account")
    if user.is_active != active:
        user.is_active = active
        end_sessions(user)
        activity.record(
            actor, ActivityAction.USER_ENABLED if active else ActivityAction.USER_DISABLED, user
        )


def set_locale(user: User, locale: str) -> None:
    """Remember the language the user reads Plume in."""
    if locale not in {"en", "fr"}:
        raise BadInput("unknown_language", language=locale)
    before = user.locale
    user.locale = locale
    activity.record(
        user,
        ActivityAction.USER_LOCALE_CHANGED,
        user,
        before={"locale": before},
        after={"locale": locale},
    )


JOB_TITLE_MAX = 200


def set_job_title(user: User, job_title: str, *, actor: User) -> None:
    """Set the job title printed under the person's name on a sign-off page ("" clears it).

    The person does, or an administrator. One line, at most JOB_TITLE_MAX characters."""
    if user.id != actor.id:
        require_admin(actor, "change other people's job titles")
    title = _job_title(job_title)
    before = user.job_title or ""
    if title == before:
        return
    user.job_title = title
    activity.record(
        actor,
        ActivityAction.USER_JOB_TITLE_CHANGED,
        user,
        before={"job_title": before},
        after={"job_title": title},
    )


def _job_title(job_title: str) -> str:
    """A job title as stored: one line, spaces collapsed, at most JOB_TITLE_MAX characters."""
    title = " ".join(job_title.split())
    if len(title) > JOB_TITLE_MAX or "\n" in job_title.strip() or "\r" in job_title:
        raise BadInput("job_title_invalid", field="job_title", limit=JOB_TITLE_MAX)
    return title


def list_tokens(user: User, *, actor: User) -> list[ApiToken]:
    """A user's API tokens, newest first (their own, or anyone's for an admin)."""
    if user.id != actor.id:
        require_admin(actor, "see other people's tokens")
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def create_token(user: User, label: str = "", *, actor: User | None = None) -> str:
    """A new bearer token for the user. Only its hash is kept: the caller shows it once."""
    if actor is not None and actor.id != user.id:
        require_admin(actor, "create tokens for other people")
    token = "plm_" + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:100])
    session.add(record)
    session.flush()
    activity.record(actor or user, ActivityAction.TOKEN_CREATED, record, after={"user": user.email})
    return token


def revoke_token(token_id: int, *, actor: User) -> None:
    record = session.get(ApiToken, token_id)
    if record is None or (record.user_id != actor.id and not actor.is_admin):
        raise NotFound("token")
    record.revoked_at = utcnow()
    activity.record(actor, ActivityAction.TOKEN_REVOKED, record)


# Built once: every API request asks it, and building a statement and its cache key took
# longer than SQLite took to run it.
_USER_FOR_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None: one statement, on every API
    request (the token's row is not loaded, only its user)."""
    user = session.scalar(_USER_FOR_TOKEN, {"token_hash": _token_hash(token)})
    if user is None or not user.is_active:
        return None
    return user


SYSTEM_EMAIL = "template@plume.invalid"


def system_user() -> User:
    """The author of text that came from a template file rather than from a person.

    It cannot sign in (inactive, no password) and holds no role on any paper.
    """
    user = find_by_email(SYSTEM_EMAIL)
    if user is None:
        sector = session.scalar(select(Sector).order_by(Sector.id).limit(1))
        if sector is None:
            raise BadInput("reference_not_loaded")
        user = User(
            email=SYSTEM_EMAIL,
            name="Template",
            sector=sector,
            is_active=False,
            session_nonce=secrets.token_hex(16),
        )
        session.add(user)
        session.flush()
    return user
