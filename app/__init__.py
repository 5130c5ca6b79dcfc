"""Plume: draft a policy position paper across departments and sign it off."""

from __future__ import annotations

from apiflask import APIFlask

from app import db
from app.config import from_environment


def create_app(config: dict | None = None) -> APIFlask:
    """Build the application. `config` overrides settings from the environment (tests)."""
    app = APIFlask(
        __name__,
        title="Plume API",
        version="1.0",
        spec_path="/api/v1/openapi.json",
        docs_path="/api/v1/docs",
        json_errors=False,
        instance_relative_config=True,
    )
    app.config.update(from_environment(app.instance_path))
    if config:
        app.config.update(config)

    db.init_app(app)
    # Its mapper events keep the search index in step with every write.
    from app import api, cli, ratelimit, request_checks, web
    from app.services import search_index  # noqa: F401
    from app.web.security import csrf

    request_checks.init_app(app)
    ratelimit.init_app(app)
    api.init_app(app)
    web.init_app(app)
    # The API authenticates each request with a bearer token, never a cookie: nothing to forge.
    csrf.exempt(api.bp)
    cli.init_app(app)
    return app
