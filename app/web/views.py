"""Web pages."""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    return render_template_string(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Plume</title></head>"
        "<body><main><h1>Plume</h1><p>The API is at <a href='/api/v1/docs'>/api/v1/docs</a>.</p>"
        "</main></body></html>"
    )
