"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and its fixture."""
from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from tests.stripe_support import free_port


class SmtpServer:
    """``start()`` / ``stop()`` a collecting SMTP server on ``port`` (free, loopback)."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self.envelopes = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [email.message_from_bytes(envelope.content, policy=policy.default) for envelope in self.envelopes]

    def start(self) -> None:
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    """An SMTP server, not started yet: call ``start()`` (tests of a server down at first)."""
    server = SmtpServer()
    yield server
    server.stop()
