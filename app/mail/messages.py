"""What a mail says and how its headers look, in the recipient's language.

Everything a person reads comes from the templates (app/mail/templates/mail/) and the .po
files; every header value passes through `clean_header`, so a CR or LF in a name, a title
or a comment never starts a header of its own.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import URLSafeSerializer
from jinja2 import FileSystemLoader

from app.db import utcnow

TEMPLATES = Path(__file__).resolve().parent / "templates"
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
SHORT_NAME_CHARS = 32


def clean_header(value: str) -> str:
    """A header-safe single line: line breaks and control characters become spaces."""
    value = _BREAKS.sub(" ", str(value or ""))
    # No-break spaces stay: French puts one before ":" and dates use them.
    value = "".join(ch if ch.isprintable() or ch in "\u00a0\u202f" else " " for ch in value)
    return re.sub(r"[ \t]+", " ", value).strip()


def short_name(title: str) -> str:
    """The paper's name for a subject prefix: its title, cut at a word near 32 characters."""
    title = clean_header(title)
    if len(title) <= SHORT_NAME_CHARS:
        return title
    cut = title[:SHORT_NAME_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "plume.localhost"


def absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def _environment():
    env = current_app.extensions.get("plume.mail_env")
    if env is None:
        env = current_app.jinja_env.overlay(loader=FileSystemLoader(str(TEMPLATES)))
        current_app.extensions["plume.mail_env"] = env
    return env


def render(template: str, language: str | None, **context) -> tuple[str, str]:
    """The text and HTML bodies of mail/TEMPLATE in `language`."""
    env = _environment()
    with force_locale(language or "en"):
        text = env.get_template(f"mail/{template}.txt").render(**context)
        html = env.get_template(f"mail/{template}.html").render(**context)
    return text, html


def unsubscribe_token(user_id: int, category: str) -> str:
    signer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="plume-unsubscribe")
    return signer.dumps([user_id, category])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    signer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="plume-unsubscribe")
    try:
        user_id, category = signer.loads(token)
    except Exception:  # a forged or damaged token: nothing to do
        return None
    return int(user_id), str(category)


def build_message(
    *,
    to_email: str,
    to_name: str = "",
    subject: str,
    text: str,
    html: str | None = None,
    message_id: str | None = None,
    headers: dict | None = None,
) -> EmailMessage:
    """A multipart (text + HTML) message with clean headers."""
    message = EmailMessage()
    message["From"] = clean_header(current_app.config["MAIL_FROM"])
    message["To"] = formataddr((clean_header(to_name), clean_header(to_email)))
    message["Subject"] = clean_header(subject)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or make_msgid(domain=domain())
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        message[name] = clean_header(value)
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def notification_message(item, recipient) -> EmailMessage:
    """The mail of one notification, as `recipient` reads it."""
    from app.web.i18n import notification_text

    language = recipient.locale or "en"
    with force_locale(language):
        sentence = notification_text(item.event, item.params)
        category = _category_label(item.category)
    paper_title = (item.params or {}).get("paper") or ""
    settings_url = absolute("/account/notifications")
    unsubscribe_url = absolute(
        f"/notifications/unsubscribe/{unsubscribe_token(recipient.id, item.category)}"
    )
    text, html = render(
        "notification",
        language,
        sentence=sentence,
        excerpt=(item.params or {}).get("excerpt"),
        url=absolute(f"/notifications/{item.id}"),
        settings_url=settings_url,
        unsubscribe_url=unsubscribe_url,
        category=category,
        paper=paper_title,
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>, <{settings_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Plume-Event": item.event,
    }
    if item.thread_id:
        thread = f"<comment-{item.thread_id}@{domain()}>"
        headers["In-Reply-To"] = thread
        headers["References"] = thread
    prefix = f"[{short_name(paper_title)}] " if paper_title else ""
    return build_message(
        to_email=recipient.email,
        to_name=recipient.name,
        subject=prefix + sentence,
        text=text,
        html=html,
        message_id=f"<notification-{item.id}@{domain()}>",
        headers=headers,
    )


def digest_message(recipient, items, day) -> EmailMessage:
    """One mail with a day's digest items, grouped by paper."""
    from flask_babel import format_date

    from app.web.i18n import notification_text

    language = recipient.locale or "en"
    groups: dict[str, list] = {}
    with force_locale(language):
        for item in items:
            groups.setdefault((item.params or {}).get("paper") or "", []).append(
                (notification_text(item.event, item.params), absolute(f"/notifications/{item.id}"))
            )
        when = format_date(day, "long")
        subject = _("Plume: your daily digest for %(day)s (%(count)d)", day=when, count=len(items))
    settings_url = absolute("/account/notifications")
    text, html = render(
        "digest", language, groups=groups, day=when, settings_url=settings_url, count=len(items)
    )
    return build_message(
        to_email=recipient.email,
        to_name=recipient.name,
        subject=subject,
        text=text,
        html=html,
        message_id=f"<digest-{recipient.id}-{day.isoformat()}@{domain()}>",
        headers={"List-Unsubscribe": f"<{settings_url}>"},
    )


def _category_label(category: str) -> str:
    from app.web.i18n import label

    return label(category, "notification_category")
