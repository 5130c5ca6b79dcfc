"""Handing a message to the SMTP server, or to a folder of .eml files when none is set."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import select

from app.db import session
from app.models import SentMail

TIMEOUT = 20


class MailUnavailable(Exception):
    """The SMTP server cannot take mail now: try again later (nothing was sent)."""


class MailRefused(Exception):
    """The server refused this message for good (an unknown recipient)."""


def describe_transport(config) -> str:
    """One line for the startup banner: where mail goes."""
    url = config.get("SMTP_URL") or ""
    if not url:
        return f"no SMTP server: mail is written as .eml files to {config['MAIL_DIR']}"
    parts = urlsplit(url)
    mode = "TLS" if parts.scheme == "smtps" else "STARTTLS when offered"
    return f"mail goes to {parts.hostname}:{parts.port or 25} ({parts.scheme}, {mode})"


class Outbox:
    """One connection for a batch of messages (`with Outbox() as out: out.send(msg)`)."""

    def __init__(self, config=None):
        self.config = config or current_app.config
        self.url = self.config.get("SMTP_URL") or ""
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None

    def open(self) -> None:
        """Connect now (MailUnavailable when the server is not there); files need nothing."""
        if self.url and self.smtp is None:
            self.smtp = self._connect()

    def _connect(self) -> smtplib.SMTP:
        parts = urlsplit(self.url)
        host, port = parts.hostname or "localhost", parts.port
        try:
            if parts.scheme == "smtps":
                smtp = smtplib.SMTP_SSL(
                    host, port or 465, timeout=TIMEOUT, context=ssl.create_default_context()
                )
            elif parts.scheme == "smtp":
                smtp = smtplib.SMTP(host, port or 25, timeout=TIMEOUT)
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            else:
                raise MailUnavailable(f"PLUME_SMTP_URL has an unknown scheme: {parts.scheme}")
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise MailUnavailable(f"cannot reach {host}:{port}: {exc}") from exc
        return smtp

    def send(self, message: EmailMessage, key: str) -> None:
        """Send one message; MailUnavailable when it must wait, MailRefused when it never
        can."""
        if not self.url:
            folder = Path(self.config["MAIL_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{key}.eml").write_bytes(bytes(message))
            return
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailRefused(str(exc)) from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise MailRefused(str(exc)) from exc
            self.smtp = None
            raise MailUnavailable(str(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.smtp = None
            raise MailUnavailable(str(exc)) from exc


def already_sent(key: str) -> bool:
    return session.scalar(select(SentMail.key).where(SentMail.key == key)) is not None


def record_sent(key: str, recipient: str) -> None:
    session.add(SentMail(key=key, recipient=recipient))
    session.flush()


def send_now(
    to_email: str,
    subject: str,
    text: str,
    html: str | None = None,
    *,
    to_name: str = "",
    key: str | None = None,
    headers: dict | None = None,
) -> bool:
    """Send one message at once (invitations, password resets). With `key`, a message
    already sent under that key is not sent again. Returns whether it was sent; raises
    MailUnavailable when the server is down. The caller's transaction records the key."""
    from app.mail.messages import build_message

    if key and already_sent(key):
        return False
    message = build_message(
        to_email=to_email, to_name=to_name, subject=subject, text=text, html=html, headers=headers
    )
    with Outbox() as outbox:
        outbox.send(message, key or message["Message-ID"].strip("<>").split("@")[0])
    if key:
        record_sent(key, to_email)
    return True
