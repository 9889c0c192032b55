"""What every resource shares: cursor pagination (``limit``, ``starting_after``, ``has_more``,
ordered by id), RFC 3339 UTC timestamps, money as integer minor units with a currency."""
from __future__ import annotations

from datetime import datetime, timezone

import marshmallow as ma
from sqlalchemy import Select

from app.extensions import db

MAX_ID = 2**31 - 1


class UtcDateTime(ma.fields.DateTime):
    """RFC 3339 in UTC with a "Z" (the database keeps naive UTC times)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise self.make_error("invalid", input=value, obj_type="datetime with a time zone")
        return parsed.astimezone(timezone.utc).replace(tzinfo=None)


def utc(value: datetime | None) -> str | None:
    return UtcDateTime()._serialize(value, None, None)


class MoneySchema(ma.Schema):
    amount = ma.fields.Integer(required=True, metadata={"description": "Minor units (cents)."})
    currency = ma.fields.String(required=True, metadata={"description": "ISO 4217 code."})


def money(amount: int, currency: str) -> dict:
    return {"amount": int(amount), "currency": currency}


class ListArgs(ma.Schema):
    """Cursor pagination: the page after the object ``starting_after``, in id order."""

    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100),
                              metadata={"description": "How many objects (1 to 100)."})
    starting_after = ma.fields.Integer(validate=ma.validate.Range(1, MAX_ID),
                                       metadata={"description": "The id of the last object of the previous page."})


def list_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope of a list of ``item``: ``data``, ``has_more``."""
    return ma.Schema.from_dict({
        "data": ma.fields.List(ma.fields.Nested(item), required=True),
        "has_more": ma.fields.Boolean(required=True, metadata={"description": "Whether a next page exists: ask "
                                                                               "with starting_after set to the last id."}),
    }, name=name)


def page(statement: Select, id_column, args: dict) -> tuple[list, bool]:
    """One page of ``statement`` (already scoped and filtered): at most ``limit`` rows after
    ``starting_after`` in ``id_column`` order, and whether more follow. One query."""
    limit = args["limit"]
    if args.get("starting_after") is not None:
        statement = statement.where(id_column > args["starting_after"])
    rows = list(db.session.scalars(statement.order_by(id_column).limit(limit + 1)).unique())
    return rows[:limit], len(rows) > limit


def envelope(rows: list, has_more: bool) -> dict:
    return {"data": rows, "has_more": has_more}
