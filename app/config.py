"""Settings from the environment, with defaults that work on a laptop."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def from_environment(instance_path: str) -> dict:
    """The configuration the app starts with; `create_app(config)` overrides any of it."""
    default_db = f"sqlite:///{Path(instance_path) / 'plume.sqlite3'}"
    return {
        "DATABASE_URL": os.environ.get("PLUME_DATABASE_URL", default_db),
        "EXPORTS_DIR": os.environ.get("PLUME_EXPORTS_DIR", str(ROOT / "exports")),
        "DRAFTS_DIR": os.environ.get("PLUME_DRAFTS_DIR", str(ROOT / "drafts")),
        "REFERENCE_DIR": os.environ.get("PLUME_REFERENCE_DIR", str(ROOT / "app" / "reference")),
        "SECRET_KEY": os.environ.get("PLUME_SECRET_KEY", "dev-only-change-me"),
        # Section texts are large but not that large; anything bigger is a mistake.
        "MAX_CONTENT_LENGTH": int(os.environ.get("PLUME_MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        # A returned Word file may be larger than a form: its own limit (app/docx_import).
        "MAX_UPLOAD_BYTES": int(os.environ.get("PLUME_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
        "SESSION_COOKIE_NAME": "plume_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("PLUME_SECURE_COOKIES", "0") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # A CSRF token lives as long as the session: an author who writes for two hours
        # must not lose the text to an expired form.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "PANDOC_TIMEOUT": int(os.environ.get("PLUME_PANDOC_TIMEOUT", 120)),
        # APIFlask: a request that fails validation is a 400, as the API contract says.
        "VALIDATION_ERROR_STATUS_CODE": 400,
        "VALIDATION_ERROR_DESCRIPTION": "Invalid request",
        "AUTH_ERROR_STATUS_CODE": 401,
        "INFO": {"description": "Plume: draft a position paper together and sign it off."},
    }
