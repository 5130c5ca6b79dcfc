"""Mail: building messages in the recipient's language and sending them, exactly once.

The small API other modules use:

    mail.send_now(to_email, subject, text, html=None, *, to_name="", key=None, language=None)
        send one message now (an invitation, a password reset); with `key`, a second call
        with the same key sends nothing (the idempotency record is `sent_mails`).
    mail.render(template, language, **context) -> (text, html)
        the templates under app/mail/templates/mail/ (NAME.txt and NAME.html).
    mail.deliver_pending() -> int
        what the worker runs: every notification due at once and not yet mailed.

Transport: PLUME_SMTP_URL = smtp://user:pass@host:587 (STARTTLS when the server offers it),
smtps://user:pass@host:465 (TLS from the start); none = .eml files in instance/mail/.
"""

from app.mail.delivery import deliver_digests, deliver_pending
from app.mail.messages import build_message, clean_header, render
from app.mail.transport import MailUnavailable, describe_transport, send_now

__all__ = [
    "MailUnavailable",
    "build_message",
    "clean_header",
    "deliver_digests",
    "deliver_pending",
    "describe_transport",
    "render",
    "send_now",
]
