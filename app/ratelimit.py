"""A sign-in that resists guessing: failed attempts are limited per account and per address.

Flask-Limiter counts only failures (a 401), per e-mail and per client address, against
LOGIN_RATE_LIMITS (PLUME_LOGIN_RATE_LIMITS, default "5/minute;50/hour"). Once a limit is
met every attempt is answered 429 with Retry-After until the window passes, a correct password
too, so guessing cannot go on. The API's bearer tokens are limited the same way per address.

Counts live in memory (one process) unless PLUME_RATELIMIT_STORAGE_URL, or a Redis
PLUME_QUEUE_URL, names a shared store, which several workers need to count together.
"""

from __future__ import annotations

import os

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

DEFAULT_LIMITS = "5/minute;50/hour"

limiter = Limiter(
    key_func=get_remote_address,
    headers_enabled=True,  # Retry-After on the 429
    strategy="moving-window",
)


def storage_uri() -> str:
    """Redis when the environment names one, else this process's memory."""
    explicit = os.environ.get("PLUME_RATELIMIT_STORAGE_URL", "").strip()
    if explicit:
        return explicit
    queue = os.environ.get("PLUME_QUEUE_URL", "").strip()
    if queue.startswith(("redis://", "rediss://", "unix://")):
        return queue
    return "memory://"


def login_limits() -> str:
    return current_app.config["LOGIN_RATE_LIMITS"]


def failed(response) -> bool:
    """Only a refused attempt counts against the limits."""
    return response.status_code == 401


def account_key() -> str:
    """The e-mail tried, normalised as accounts are found (one counter per account)."""
    return "account:" + request.form.get("email", "").strip().lower()


def address_key() -> str:
    return "address:" + (get_remote_address() or "unknown")


def init_app(app) -> None:
    app.config.setdefault(
        "LOGIN_RATE_LIMITS", os.environ.get("PLUME_LOGIN_RATE_LIMITS", DEFAULT_LIMITS)
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri())
    limiter.init_app(app)
