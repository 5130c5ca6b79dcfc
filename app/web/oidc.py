"""Single sign-on with the organisation's OpenID Connect provider (Authlib).

Configured by PLUME_OIDC_ISSUER, PLUME_OIDC_CLIENT_ID and PLUME_OIDC_CLIENT_SECRET. The
authorization code flow with PKCE (S256); Authlib checks `state`, and the ID token's signature
against the issuer's JWKS, its issuer, audience, expiry and `nonce` (a fresh one per sign-in,
kept in the session and used once). The person is matched by their *verified* e-mail: the
first sign-in links the account that has it; an e-mail with no account is refused unless its
domain is open to self-registration: an admin opens and closes domains on the admin page (or
the API), merged with those PLUME_OIDC_SELF_REGISTRATION ("domain=SECTOR,...") names
(services/self_registration.py).
"""

from __future__ import annotations

import os

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from app.db import session as db_session
from app.services import self_registration, users
from app.web import bp

oauth = OAuth()
PROVIDER = "organisation"


def configured() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def _client():
    return getattr(oauth, PROVIDER)


@bp.get("/login/organisation")
def oidc_login():
    if not configured():
        return redirect(url_for("web.login"))
    redirect_uri = url_for("web.oidc_callback", _external=True)
    # Authlib makes the state, the PKCE verifier and (given one) keeps the nonce with it.
    return _client().authorize_redirect(redirect_uri, nonce=os.urandom(16).hex())


@bp.get("/login/organisation/callback")
def oidc_callback():
    if not configured():
        return redirect(url_for("web.login"))
    try:
        token = _client().authorize_access_token()
        claims = token.get("userinfo")
        if claims is None:
            raise AuthlibBaseError(description="no ID token")
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if current_app.config["OIDC_CLIENT_ID"] not in audiences:
            raise AuthlibBaseError(description="the ID token is for another client")
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        current_app.logger.warning("organisation sign-in refused: %s", error)
        return _refused(_("Your organisation's sign-in could not be checked. Try again."))
    email = claims.get("email") or ""
    if not email or claims.get("email_verified") is not True:
        return _refused(_("Your organisation did not confirm your e-mail address."))
    user = users.find_by_email(email)
    if user is None:
        user = _self_register(email, claims.get("name") or email.split("@")[0])
    if user is None or not user.is_active:
        return _refused(
            _("No active Plume account has this e-mail. Ask a coordinator to invite you.")
        )
    from app.web.auth import begin_session

    begin_session(user)
    db_session.commit()
    return redirect(url_for("web.dashboard"))


def _self_register(email: str, name: str):
    """An account for an e-mail whose domain is open to self-registration, else None."""
    sector = self_registration.sector_for(email, configured_domains())
    if sector is None:
        return None
    return users.create_user(email, name, sector)


def configured_domains() -> dict[str, str]:
    """The domains PLUME_OIDC_SELF_REGISTRATION opens (domain → sector code)."""
    return current_app.config.get("OIDC_SELF_REGISTRATION", {})


def _refused(message: str):
    flash(message, "error")
    return render_template("login.html", email=""), 403


def _domains(value: str) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {domain.strip().lower(): sector.strip().upper() for domain, sector in pairs}


def init_app(app) -> None:
    app.config.setdefault("OIDC_ISSUER", os.environ.get("PLUME_OIDC_ISSUER", ""))
    app.config.setdefault("OIDC_CLIENT_ID", os.environ.get("PLUME_OIDC_CLIENT_ID", ""))
    app.config.setdefault("OIDC_CLIENT_SECRET", os.environ.get("PLUME_OIDC_CLIENT_SECRET", ""))
    app.config.setdefault(
        "OIDC_SELF_REGISTRATION", _domains(os.environ.get("PLUME_OIDC_SELF_REGISTRATION", ""))
    )
    app.config.setdefault(
        "PASSWORD_SIGNIN", os.environ.get("PLUME_PASSWORD_SIGNIN", "1").strip() != "0"
    )
    oauth.init_app(app)
    if app.config["OIDC_ISSUER"]:
        register(app)


def register(app) -> None:
    """Register the provider named by the app's OIDC settings (its metadata is read lazily)."""
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    # Authlib keeps the client it made (and the metadata it read): forget it to re-register.
    oauth._clients.pop(PROVIDER, None)
    oauth.register(
        PROVIDER,
        overwrite=True,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
