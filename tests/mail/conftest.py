"""A real SMTP server (aiosmtpd) on a free port, and the web client to follow mail links."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.web.conftest import client, post, sign_in  # noqa: F401  (fixtures)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: one parsed message per delivery."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ARG002 (aiosmtpd's)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def to(self, email: str) -> list[EmailMessage]:
        return [m for m in self.messages if email in m["To"]]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    """A stopped SMTP server: start() it (the fault tests start it late)."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp(app, smtp_server):
    """The app mails through a running SMTP server for the test; its inbox."""
    smtp_server.start()
    before = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = smtp_server.url
    yield smtp_server.inbox
    app.config["SMTP_URL"] = before


@pytest.fixture
def smtp_down(app, smtp_server):
    """The app mails to a server that is not running yet (start it with .start())."""
    before = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = smtp_server.url
    yield smtp_server
    app.config["SMTP_URL"] = before
