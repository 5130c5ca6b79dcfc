"""CSRF protection on every form, and the security headers every response carries.

The Content-Security-Policy allows scripts and styles from this site only: no inline
script, no event-handler attributes, no inline styles, so text that slipped through the
sanitiser still could not run. The API's interactive docs load their own assets, so the
policy applies to the web pages, not to /api/.
"""

from __future__ import annotations

from flask import current_app, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/api/"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint != "web.static":
        # Pages show unpublished drafts: no cache may keep them.
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


# Endpoints that take a returned Word file: larger than any other request may be.
UPLOAD_ENDPOINTS = {"api.import_docx", "web.import_docx"}
# Room for the multipart envelope around a file of the largest size allowed.
_ENVELOPE = 64 * 1024


def _upload_limit():
    """Raise the body limit for uploads to PLUME_MAX_UPLOAD_BYTES, before anything (the CSRF
    check included) reads the form."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"] + _ENVELOPE


def init_app(app) -> None:
    app.before_request(_upload_limit)  # first: the CSRF check reads the form
    csrf.init_app(app)
    app.after_request(_headers)
