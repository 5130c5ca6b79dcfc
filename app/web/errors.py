"""How a domain error looks on a web page."""

from __future__ import annotations

from flask import render_template_string

from app.db import session
from app.services import errors as domain

_STATUS = {
    domain.BadInput: 400,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Invalid: 422,
}

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plume</title></head>
<body><main><h1>{{ title }}</h1><p>{{ message }}</p><p><a href="/">Back</a></p></main>
</body></html>"""


def domain_error_page(error: domain.DomainError):
    session.rollback()
    status = next(code for cls, code in _STATUS.items() if isinstance(error, cls))
    return render_template_string(
        _PAGE, title="Something stopped this", message=error.message
    ), status
