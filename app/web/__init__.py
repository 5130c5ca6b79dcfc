"""The server-rendered web UI. It calls the same services as the API.

Every page needs a signed-in user except the sign-in page and the static files. Like the
API, the web layer commits once per request, here at the boundary: a response below 400
commits what the services flushed, anything else rolls back.
"""

from __future__ import annotations

from pathlib import Path

from apiflask import APIBlueprint
from flask import request
from flask_babel import Babel
from flask_login import current_user

from app.db import end_request

# An APIBlueprint only so that APIFlask, which inspects every blueprint when it writes the
# OpenAPI document, can be told to leave the web pages out of it.
bp = APIBlueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
    enable_openapi=False,
)
babel = Babel()

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Endpoints a visitor may reach before signing in.
PUBLIC_ENDPOINTS = {
    *("web.login", "web.static", "web.unsubscribe", "web.oidc_login", "web.oidc_callback"),
    *("web.forgot_password", "web.reset_password", "web.accept_invitation"),
}


@bp.before_request
def _require_sign_in():
    from app.web import i18n
    from app.web.auth import login_manager

    i18n.remember_choice()
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


bp.after_request(end_request)


def init_app(app) -> None:
    from app.web import auth, i18n, oidc, security, templating
    from app.web.views import (  # noqa: F401  (each module adds its routes to bp)
        admin,
        alignment,
        dashboard,
        imports,
        notifications,
        papers,
        reviews,
        rounds,
        search,
        sections,
        versions,
    )

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_template_gettext(app)
    auth.init_app(app)
    oidc.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    app.register_blueprint(bp)
