"""Settings from the environment, with defaults that work on a laptop."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


DEVELOPMENT_SECRET = "dev-only-change-me"
SECRET_FILE = "secret_key"


def secret_key(instance_path: str) -> str:
    """PLUME_SECRET_KEY, else the key `make run` wrote to instance/secret_key, else the
    development value (which `require_secret_key` refuses outside debug mode).
    """
    if key := os.environ.get("PLUME_SECRET_KEY", "").strip():
        return key
    try:
        key = (Path(instance_path) / SECRET_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        key = ""
    return key or DEVELOPMENT_SECRET


class MissingSecretKey(RuntimeError):
    pass


def require_secret_key(app) -> None:
    """Refuse to serve outside debug mode with the development key: anyone could forge a
    session cookie with it.
    """
    if app.debug or app.testing or app.config["SECRET_KEY"] != DEVELOPMENT_SECRET:
        return
    raise MissingSecretKey(
        "PLUME_SECRET_KEY is not set, and Plume will not sign sessions with the development "
        "key outside debug mode. Set one, e.g.\n"
        "  export PLUME_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\n"
        f"or write it to {Path(app.instance_path) / SECRET_FILE} (make run does this for you)."
    )


def from_environment(instance_path: str) -> dict:
    """The configuration the app starts with; `create_app(config)` overrides any of it."""
    default_db = f"sqlite:///{Path(instance_path) / 'plume.sqlite3'}"
    return {
        "DATABASE_URL": os.environ.get("PLUME_DATABASE_URL", default_db),
        "EXPORTS_DIR": os.environ.get("PLUME_EXPORTS_DIR", str(ROOT / "exports")),
        "DRAFTS_DIR": os.environ.get("PLUME_DRAFTS_DIR", str(ROOT / "drafts")),
        "REFERENCE_DIR": os.environ.get("PLUME_REFERENCE_DIR", str(ROOT / "app" / "reference")),
        "SECRET_KEY": secret_key(instance_path),
        # The Argon2 cost of a password, by argon2-cffi profile name (users._hasher).
        "PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY",
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
        # Where people reach this Plume: the links in mails start with it.
        "BASE_URL": os.environ.get("PLUME_BASE_URL", "http://127.0.0.1:5000"),
        # Mail: smtp://user:pass@host:587 (STARTTLS) or smtps://host:465; none: .eml files
        # in instance/mail/.
        "SMTP_URL": os.environ.get("PLUME_SMTP_URL", ""),
        "MAIL_FROM": os.environ.get("PLUME_MAIL_FROM", "Plume <plume@localhost>"),
        "MAIL_DIR": os.environ.get("PLUME_MAIL_DIR", str(Path(instance_path) / "mail")),
        # APIFlask: a request that fails validation is a 400, as the API contract says.
        "VALIDATION_ERROR_STATUS_CODE": 400,
        "VALIDATION_ERROR_DESCRIPTION": "Invalid request",
        "AUTH_ERROR_STATUS_CODE": 401,
        "INFO": {"description": "Plume: draft a position paper together and sign it off."},
    }
