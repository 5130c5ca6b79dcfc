"""The JSON API under /api/v1: one module per resource, all on one blueprint.

Authentication is a bearer token on every route. One commit per request, here at the
boundary: a successful response commits what the services flushed, anything else rolls
back, so a refused request never leaves a half-written row.
"""

from __future__ import annotations

import hashlib

from apiflask import APIBlueprint, HTTPTokenAuth
from flask import request

from app.db import end_request
from app.ratelimit import address_key, failed, limiter, login_limits
from app.services import users

bp = APIBlueprint("api", __name__, url_prefix="/api/v1")
auth = HTTPTokenAuth(scheme="Bearer", description="A token from `plume users create --token`.")


@auth.verify_token
def _verify(token: str):
    return users.user_for_token(token) if token else None


@bp.before_request
@bp.auth_required(auth)
def _authenticate():
    """Every API route needs a valid token (the decorator does the work)."""


bp.after_request(end_request)


@bp.after_request
def _validators(response):
    """Every read answers with an ETag (a digest of its body) and `304 Not Modified` to a
    client that sends it back in If-None-Match: the body is still made, but not sent again.
    Private: what one token reads is not for a shared cache."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.headers.setdefault("Cache-Control", "private, no-cache")
    if response.direct_passthrough or response.is_streamed:  # a file: send_file set its own
        return response
    if "ETag" not in response.headers:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)


# Guessing tokens: failed authentications are limited per address, as sign-ins are.
limiter.limit(login_limits, key_func=address_key, deduct_when=failed, scope="api-token")(bp)


def current_user():
    return auth.current_user


def init_app(app) -> None:
    from app.api import (  # noqa: F401  (each module adds its routes to bp)
        activity,
        admin,
        alignment,
        comments,
        exports,
        frameworks,
        imports,
        me,
        members,
        notifications,
        papers,
        queue,
        revisions,
        rounds,
        search,
        sections,
        signoff,
        versions,
        visits,
    )
    from app.api.errors import init_app as init_errors
    from app.api.openapi import complete

    init_errors(app, auth)
    app.spec_processor(complete)
    app.register_blueprint(bp)
