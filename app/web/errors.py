"""How an error looks on a web page: the house layout, a plain title, the right status."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.db import session
from app.errors import message, status_of
from app.services import errors as domain
from app.web.forms import safe_next

TITLES = {
    400: _l("Please check what you entered"),
    401: _l("Please sign in"),
    403: _l("You may not do this"),
    404: _l("This page does not exist"),
    405: _l("This page does not accept that"),
    409: _l("This has changed in the meantime"),
    413: _l("That is too large"),
    422: _l("This cannot be accepted"),
    429: _l("Too many attempts"),
}

MESSAGES = {
    404: _l("The address may be mistyped, or the page was moved."),
    405: _l("Go back to the page and use its buttons."),
    413: _l("The text or file you sent is larger than Plume accepts."),
    429: _l("Too many failed attempts from here or for this account. Wait a minute and try again."),
}
CSRF_MESSAGE = _l(
    "The form had expired or did not come from this site. Go back, reload the page and "
    "send it again."
)


def _page(status: int, message: str):
    session.rollback()
    referrer = request.referrer or ""
    host = request.host_url
    back = safe_next(referrer[len(host) - 1 :] if referrer.startswith(host) else None)
    title = TITLES.get(status, _l("Something went wrong"))
    return render_template("error.html", title=title, message=message, back=back), status


def domain_error_page(error: domain.DomainError):
    """A service refused: say why, in the reader's language, with the API's status."""
    return _page(status_of(error), message(error))


def http_error_page(error: HTTPException):
    """404, 405, a refused CSRF token (400), a body too large (413)...

    app/api/errors.py sends here every HTTP error outside /api/, as it does domain errors.
    """
    status = error.code or 500
    if isinstance(error, CSRFError):
        message = CSRF_MESSAGE
    else:
        message = MESSAGES.get(status, error.description or "")
    body, status = _page(status, str(message))
    headers = {"Allow": ", ".join(error.valid_methods)} if status == 405 else {}
    if status == 429 and error.get_headers():
        headers.update({k: v for k, v in error.get_headers() if k == "Retry-After"})
    return body, status, headers
