"""Signing up and reading the e-mailed links, as a newcomer would."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.accounts.models import LoginAttempt, Organisation, User
from app.extensions import db
from app.mail.models import OutboxMessage

NEW_PASSWORD = "Fresh-start-2026"
SIGN_UP = {"organisation_name": "Acme Widgets Ltd.", "name": "Ada Lovelace", "email": "ada@acme.example",
           "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD, "region": "US"}


def sign_up(client, **overrides):
    return client.post("/sign-up", data={**SIGN_UP, **overrides})


def counts() -> tuple[int, int, int]:
    """(organisations, users, outbox messages)."""
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Organisation, User, OutboxMessage))


def attempts(action: str) -> int:
    return db.session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.action == action))


def messages(kind: str, recipient: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.recipient == recipient)
                                   .order_by(OutboxMessage.id)))


def link_path(message: OutboxMessage) -> str:
    """The path of the one link in a message's text (the same link is in its HTML)."""
    [url] = re.findall(r"https?://\S+", message.body)
    assert f'href="{url}"' in message.html
    return urlsplit(url).path


def user_of(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def signed_in_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")
