"""Where a domain error becomes a status and a sentence, for the API and the web alike.

Services raise `DomainError`s naming a reason (app/services/errors.py). This module holds the
one table from error class to HTTP status, and the one catalogue from reason to sentence; the
sentences are msgids, translated through the .po files like every other word of the UI. The
API answers in English; a page answers in its reader's language.
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.services import errors as domain

STATUS: dict[type[domain.DomainError], int] = {
    domain.BadInput: 400,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Invalid: 422,
}

# Parameters whose value is a stored code: shown by its label in the reader's language
# (app/web/i18n.py LABELS kind).
LABELLED_PARAMS = {
    "decision": "decision",
    "position": "position",
    "state": "section_state",
    "from_state": "section_state",
    "to_state": "section_state",
    "role": "role",
    "status": "alignment",
    "type": "comment_type",
}

# Every reason a service raises, as a whole sentence. Keep them sorted by reason.
MESSAGES: dict[str, Any] = {
    "account_link_invalid": _l("This link has expired or was already used. Ask for a new one."),
    "conflict": _l("This has changed in the meantime; reload the page and try again."),
    "error": _l("This cannot be done."),
    "forbidden": _l("You may not do this."),
    "invalid": _l("Please check what you entered."),
    "invalid_transition": _l("This move is not allowed from the current state."),
    "json_too_deep": _l("The JSON is nested more than %(limit)s levels deep."),
    "not_found": _l("Not found."),
    "password_too_short": _l("A password needs at least %(minimum)s characters."),
    "render_too_large": _l(
        "This text could not be converted within %(limit)s MB of memory: simplify its "
        "structure (deeply nested quotes or lists, very large tables) and export again."
    ),
    "render_too_slow": _l(
        "This text could not be converted within %(limit)s s: simplify its structure "
        "(deeply nested quotes or lists, long runs of brackets or headings) and export again."
    ),
    "search_kind": _l("A search looks for sections, comments or decisions, not “%(kind)s”."),
    "text_forbidden_character": _l(
        "The field “%(field)s” holds a character that no document can hold (a NUL byte, "
        "a control character or a lone surrogate): remove it and send again."
    ),
    "template_language": _l(
        "A template's language is one of %(languages)s, not %(language)s (paper.yaml)."
    ),
    "template_translation_front_matter": _l(
        "%(path)s starts with front matter: a translated text holds only the section's "
        "Markdown, its titles and briefs stay in the section file."
    ),
    "template_translation_unmatched": _l(
        "%(path)s has no section file of the same name: a translated text is named after "
        "its section's file."
    ),
    "unknown_actions": _l("The activity log names no such kind of change: %(actions)s."),
    "unprocessable": _l("This cannot be accepted."),
}


def status_of(error: domain.DomainError) -> int:
    """The HTTP status of a domain error: the API's and the web page's."""
    return next(code for cls, code in STATUS.items() if isinstance(error, cls))


def message(error: domain.DomainError, language: str | None = None, *, reveal=False) -> str:
    """The error as a sentence in `language` (None: the current request's).

    A NotFound reads "Not found." whatever the raise said, so that no one learns which
    objects exist; `reveal` (logs, the command line) keeps what it said.
    """
    if isinstance(error, domain.NotFound) and not (reveal and error.legacy_message):
        reason = "not_found"
    elif error.legacy_message is not None:
        return error.legacy_message
    else:
        reason = error.reason if error.reason in MESSAGES else type(error).code
    template = MESSAGES.get(reason, MESSAGES["error"])
    if language is None or not has_app_context():
        return _fill(str(template), error.params)
    with force_locale(language):
        return _fill(str(template), error.params)


def _fill(template: str, params: dict[str, Any]) -> str:
    values = {}
    for name, value in params.items():
        if name in LABELLED_PARAMS and isinstance(value, str) and has_app_context():
            from app.web.i18n import label

            value = label(value, LABELLED_PARAMS[name])
        elif isinstance(value, list | tuple | set):
            value = ", ".join(map(str, value))
        values[name] = value
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return template
