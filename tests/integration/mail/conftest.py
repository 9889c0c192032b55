"""Mail fixtures: a real SMTP server on loopback (aiosmtpd) and an app that sends through it."""
from __future__ import annotations

import pytest

from tests.smtp_support import SmtpServer, smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def mail_app(make_app, smtp_server):
    """An app that sends through ``smtp_server`` and retries after 1 s."""
    return make_app(MAIL_BACKEND="smtp", MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port, MAIL_RETRY_INTERVALS=(1, 1))
