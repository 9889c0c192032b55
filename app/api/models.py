"""The partner API's rows: organisations' API keys and the stored first answers of POSTs sent
with an ``Idempotency-Key``."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class KeyScope(str, enum.Enum):
    READ = "read"  # GET only
    WRITE = "write"  # everything the organisation's administrators may do


class ApiKey(db.Model):
    """A bearer key acting as its organisation. Only ``prefix`` (shown in lists, part of the
    key) and the SHA-256 of the whole key are stored: the key itself is shown once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(20), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(10), default=KeyScope.READ.value)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    organisation = relationship("Organisation")
    created_by = relationship("User")

    @property
    def can_write(self) -> bool:
        return self.scope == KeyScope.WRITE.value

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(db.Model):
    """The first answer to a POST with an ``Idempotency-Key``, per organisation and key. The row
    is inserted before the work starts (``status`` None: in progress) and completed with the
    answer in the same transaction as the work's effect, or deleted when the work failed on
    our side, so that a retry may run it again."""

    __table_args__ = (
        UniqueConstraint("organisation_id", "key"),
        Index("ix_idempotency_record_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_path: Mapped[str] = mapped_column(String(300))  # "POST /api/v1/orders"
    body_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column()
    response_body: Mapped[str] = mapped_column(Text, default="")
    response_headers: Mapped[str] = mapped_column(Text, default="")  # JSON object of the headers to replay
    created_at: Mapped[datetime] = mapped_column()
