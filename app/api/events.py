"""/api/v1/events: the organisation's events, oldest first, after a cursor (an event's ``evt_``
id), filtered by type. The same rows and documents its webhook endpoints receive
(``app.webhooks.events.events_since`` and ``event_document``), so a PSA that missed deliveries
can catch up by listing from the last event it saw."""
from __future__ import annotations

import marshmallow as ma

from app.accounts.access import acting_organisation
from app.api.common import UtcDateTime, list_schema
from app.api.errors import abort_api
from app.api.framework import api_blueprint
from app.webhooks.events import EVENT_TYPES, TEST_EVENT_TYPE, event_document, events_since

bp = api_blueprint("events", "/events", "Events: what happened to your orders, subscriptions, invoices and "
                                        "fulfillment requests, as your webhook endpoints receive them.")
LISTED_TYPES = (*EVENT_TYPES, TEST_EVENT_TYPE)
EVENT_ID = r"^evt_[0-9a-f]{1,36}$"


class EventListArgs(ma.Schema):
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100),
                              metadata={"description": "How many events (1 to 100)."})
    starting_after = ma.fields.String(
        validate=[ma.validate.Length(5, 40), ma.validate.Regexp(EVENT_ID, error="Give an event id such as evt_3f2a...")],
        metadata={"description": "The id (evt_...) of the last event of the previous page. An id that is not one of "
                                 "your events answers 404; a value that is not an event id answers 422."})
    types = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(LISTED_TYPES)), data_key="type",
                           validate=ma.validate.Length(max=len(LISTED_TYPES)),
                           metadata={"description": "Only events of these types (repeat the parameter for several)."})


class EventDataSchema(ma.Schema):
    object = ma.fields.Dict(required=True, metadata={"description": "The resource as it was when the event happened "
                                                                    "(its shape depends on the event's type)."})


class EventSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "evt_...: use it to de-duplicate webhook deliveries."})
    object = ma.fields.String(required=True, metadata={"description": "Always event."})
    type = ma.fields.String(required=True, metadata={"description": ", ".join(LISTED_TYPES)})
    created = UtcDateTime(required=True)
    organisation_id = ma.fields.Integer(required=True, metadata={"description": "The organisation it was recorded for."})
    data = ma.fields.Nested(EventDataSchema, required=True)


EventList = list_schema(EventSchema, "EventList")


def present_event(event) -> dict:
    """The webhook's document of the event, its time as the API writes times."""
    return {**event_document(event), "created": event.created_at}


@bp.route("", methods=["GET"])
@bp.arguments(EventListArgs, location="query")
@bp.response(200, EventList)
def list_events(args):
    """Your events, oldest first: page on with starting_after set to the last event's id."""
    try:
        rows, has_more = events_since(acting_organisation(), args.get("starting_after"), args["limit"],
                                      args.get("types", ()))
    except LookupError:
        abort_api(404, "That event was not found: give the id of one of your events as starting_after.")
    return {"data": [present_event(event) for event in rows], "has_more": has_more}
