"""The JSON API under /api/v1: one module per resource, all on one blueprint.

Authentication is a bearer token on every route. One commit per request, here at the
boundary: a successful response commits what the services flushed, anything else rolls
back, so a refused request never leaves a half-written row.
"""

from __future__ import annotations

from apiflask import APIBlueprint, HTTPTokenAuth

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
