"""What every template may use: labels, dates in the reader's locale, the language switch."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial

from babel import Locale, dates
from flask import g, request, url_for
from flask_babel import (
    _get_format,
    format_date,
    format_datetime,
    format_timedelta,
    get_locale,
    get_timezone,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.models import SectionState
from app.services import stages
from app.web import diffs, i18n, render


def lang_url(language: str) -> str:
    """This page in another language (the choice is then remembered)."""
    args = request.args.to_dict()
    args["lang"] = language
    return url_for(request.endpoint or "web.dashboard", **(request.view_args or {}), **args)


def when(value, style: str = "medium") -> str:
    """A date or a timestamp in the reader's locale; timestamps in UTC, said so."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        formatter = _datetime_formatter(style)
        if formatter is not None:
            return formatter(value) + " UTC"
        return format_datetime(value, style) + " UTC"
    formatter = _date_formatter(style)
    if formatter is not None:
        return formatter(value)
    return format_date(value, style)


def date_writer(style: str = "medium"):
    """A function writing a date as `when(date, style)` does, for a page of many dates: the
    reader's locale looked up once."""
    formatter = _date_formatter(style)
    return formatter if formatter is not None else partial(format_date, format=style)


def datetime_writer(style: str = "medium"):
    """A function writing a timestamp as `when(timestamp, style)` does, for a page of many:
    the reader's locale and timezone looked up once."""
    formatter = _datetime_formatter(style)
    if formatter is None:
        return partial(when, style=style)
    return lambda value: "" if value is None else formatter(value) + " UTC"


# {(locale, style): a function formatting a date as format_date does}, for the same reason (the
# overview's 50 due dates).
_DATE_FORMATTERS: dict = {}


def _date_formatter(style: str):
    """flask_babel.format_date(value, style) of a date for the request's locale, its pattern
    parsed once; None for a style that is not one of babel's named ones."""
    locale = get_locale()
    if locale is None:
        return None
    key = (locale, style)
    formatter = _DATE_FORMATTERS.get(key)
    if formatter is None:
        if _get_format("date", style) != style or style not in _NAMED_STYLES:
            return None
        pattern = dates.parse_pattern(dates.get_date_format(style, locale=locale))

        def formatter(value: date) -> str:
            return pattern.apply(value, locale)

        if len(_DATE_FORMATTERS) < 256:
            _DATE_FORMATTERS[key] = formatter
    return formatter


# {(locale, timezone, style): a function formatting a timestamp as format_datetime does}: babel
# looks up and parses the locale's patterns on every call (a page of 50 comments, each with its
# replies and history, spent more time there than in the rest of its template).
_DATETIME_FORMATTERS: dict = {}


def _datetime_formatter(style: str):
    """flask_babel.format_datetime(value, style) for the request's locale and timezone, with its
    patterns parsed once; None for a style that is not one of babel's named ones."""
    locale, zone = get_locale(), get_timezone()
    if locale is None or zone is None:
        return None
    key = (locale, zone, style)
    formatter = _DATETIME_FORMATTERS.get(key)
    if formatter is None:
        if _get_format("datetime", style) != style or style not in _NAMED_STYLES:
            return None
        # babel.dates.format_datetime's steps for a named style, its patterns parsed here.
        layout = dates.get_datetime_format(style, locale=locale).replace("'", "")
        time_pattern = dates.parse_pattern(dates.get_time_format(style, locale=locale))
        date_pattern = dates.parse_pattern(dates.get_date_format(style, locale=locale))
        normalize = getattr(zone, "normalize", None)

        def formatter(value: datetime) -> str:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(zone)
            if normalize is not None:
                value = normalize(value)
            day = value.date()
            return layout.replace(
                "{0}", time_pattern.apply(value.timetz(), locale, reference_date=day)
            ).replace("{1}", date_pattern.apply(day, locale))

        if len(_DATETIME_FORMATTERS) < 256:
            _DATETIME_FORMATTERS[key] = formatter
    return formatter


_NAMED_STYLES = ("full", "long", "medium", "short")


def where(paper, section) -> Markup:
    """Where a decision stands, as the alignment pages name it: a section's number and title
    in the paper's language, or the whole paper (section None). A function, not a macro: the
    grid's coverage lists name a hundred and fifty sections."""
    if section is None:
        return escape(_("Whole paper"))
    number, title = escape(section.number), escape(section.title(paper.language))
    return Markup(f'<span class="number">{number}</span> {title}')


def is_overdue(due: date | None, state: str | None = None) -> bool:
    """Past its due date and not yet approved."""
    return due is not None and due < datetime.now(UTC).date() and state != "approved"


def countdown(review_round) -> tuple[str, bool]:
    """A round's deadline as a reader counts it: ("closes in 3 days", False), or
    ("closed 2 days ago", True) once it has passed, or ("closed", False) when closed early."""
    from app.services.rounds import ends_at, is_open

    now = datetime.now(UTC)
    end = ends_at(review_round)
    if is_open(review_round):
        return _("closes in %(time)s", time=format_timedelta(end - now)), False
    if review_round.closed_at is not None:
        return _("closed by the coordinator %(when)s", when=when(review_round.closed_at)), False
    return _("closed %(time)s ago", time=format_timedelta(now - end)), True


def language_name(code: str) -> str:
    """A language's name in the reader's language: "anglais" to a French reader."""
    return Locale.parse(code).get_display_name(i18n.current_language())


def signed_in_user():
    return current_user.user if current_user.is_authenticated else None


def unread_notifications(paper=None) -> int:
    """The bell's count, on every page; on a paper's page read with the paper's status."""
    from app.services import notifications

    user = signed_in_user()
    if user is None:
        return 0
    if paper is not None:
        return _paper_status_and_unread(paper, user)[1]
    return notifications.unread_count(user)


def paper_status(paper):
    """The paper's status in its banner: read with the bell's count when a user is signed in."""
    user = signed_in_user()
    if user is None:
        return stages.paper_status(paper)
    return _paper_status_and_unread(paper, user)[0]


def _paper_status_and_unread(paper, user):
    """The banner's status and the bell's count, one statement for both, once a request."""
    key = (user.id, paper.id)
    cached = g.get("plume_paper_status_and_unread")
    if cached is None or cached[0] != key:
        cached = (key, stages.paper_status_and_unread(paper.id, user))
        g.plume_paper_status_and_unread = cached
    return cached[1]


def permissions(paper):
    """What the signed-in reader may do on `paper`: the request's one PaperPermissions, the
    same object the views and services ask."""
    from app.services import access

    return access.permissions(signed_in_user(), paper)


def init_app(app) -> None:
    app.jinja_env.filters.update(
        label=i18n.label,
        when=when,
        markdown=render.markdown,
        diff=diffs.diff_html,
    )
    app.jinja_env.globals.update(
        lang_url=lang_url,
        languages=i18n.LANGUAGE_NAMES,
        language_name=language_name,
        current_language=i18n.current_language,
        is_overdue=is_overdue,
        section_states=[state.value for state in SectionState],
        signed_in_user=signed_in_user,
        unread_notifications=unread_notifications,
        notification_text=i18n.notification_text,
        paper_status=paper_status,
        countdown=countdown,
        permissions=permissions,
        where=where,
    )
