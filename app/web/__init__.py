"""The server-rendered web UI. It calls the same services as the API."""

from __future__ import annotations


def init_app(app) -> None:
    from app.web import views

    app.register_blueprint(views.bp)
