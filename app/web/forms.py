"""Reading HTML form fields into the types the services take.

Forms are plain HTML (CSRFProtect checks every POST); the services hold the rules. What
is malformed on its face (a date that is not a date) is a BadInput, shown as a 400.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit

from flask import request, url_for

from app.services.errors import BadInput


def text(name: str) -> str:
    return request.form.get(name, "").strip()


def multiline(name: str) -> str:
    """A textarea's text: browsers send its line breaks as CRLF; texts are stored with LF."""
    return request.form.get(name, "").replace("\r\n", "\n")


def optional_int(name: str) -> int | None:
    value = text(name)
    if not value:
        return None
    if not value.isdigit():
        raise BadInput("field_number", field=name)
    return int(value)


def optional_date(name: str) -> date | None:
    value = text(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput("field_date", field=name) from None


def optional_moment(date_name: str, time_name: str) -> datetime | None:
    """A date field and a time field (HH:MM, UTC, 00:00 when left empty) as one aware
    moment; None when the date is empty."""
    day = optional_date(date_name)
    if day is None:
        return None
    value = text(time_name) or "00:00"
    try:
        moment = time.fromisoformat(value)
    except ValueError:
        raise BadInput("field_time", field=time_name) from None
    return datetime.combine(day, moment.replace(tzinfo=None), tzinfo=UTC)


def checked(name: str) -> bool:
    return request.form.get(name) in {"1", "on", "true", "yes"}


def safe_next(target: str | None, default: str | None = None) -> str:
    """A local path to go to after a form, never another site (no open redirect); one
    holding a control character (CR/LF would split the Location header) is ignored.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default or url_for("web.dashboard")


def back_to(default: str) -> str:
    """Where a form asked to return (its `next` field), else `default`."""
    return safe_next(request.form.get("next") or request.args.get("next"), default)
