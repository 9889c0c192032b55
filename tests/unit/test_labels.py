"""The small text rules behind the labels (issue 15, items 4 and 5): plurals of unit names,
the full stop after a name, ordering-parameter values as the buyer reads them, and one status
label per subscription state."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import app.models  # noqa: F401  (every mapper, for Resource rows)
from app.catalog.models import Resource, plural_of
from app.catalog.parameters import parameter_summary, shown_values
from app.core.text import end_sentence
from app.plans.queries import DisplayStatus, display_status


def test_unit_names_take_the_regular_english_plural():
    assert [plural_of(unit) for unit in ("mailbox", "seat", "user", "switch", "address", "proxy", "day", "licence")] == [
        "mailboxes", "seats", "users", "switches", "addresses", "proxies", "days", "licences"]


def test_a_resource_names_its_unit_for_a_count_and_an_explicit_plural_wins():
    mailbox = Resource(unit="mailbox", unit_plural="")
    person = Resource(unit="person", unit_plural="people")
    assert (mailbox.units(1), mailbox.units(0), mailbox.units(2)) == ("mailbox", "mailboxes", "mailboxes")
    assert (person.units(1), person.units(5)) == ("person", "people")


def test_a_sentence_ending_with_a_name_ending_with_a_full_stop_gets_no_second_one():
    assert [end_sentence(text) for text in ("Acme Inc.", "Acme Ltd", "Really?", "Go!", "Acme Inc. ")] == [
        "Acme Inc.", "Acme Ltd.", "Really?", "Go!", "Acme Inc. "]


def _parameter(key, label, kind="text", choices=()):
    return SimpleNamespace(key=key, label=label, kind=kind, choices=[list(choice) for choice in choices])


def test_parameter_values_read_as_labels_in_the_products_order():
    parameters = [_parameter("data_location", "Data location", "choice", [("eu-central", "Europe (Frankfurt)")]),
                  _parameter("domain", "Domain name", "domain"), _parameter("admin", "Admin user")]
    values = {"domain": "example.com", "data_location": "eu-central", "admin": "", "legacy_key": "kept"}
    assert shown_values(parameters, values) == [("Data location", "Europe (Frankfurt)"), ("Domain name", "example.com"),
                                                ("Legacy key", "kept")]
    assert parameter_summary(parameters, {"data_location": "gone"}) == "Data location: gone"  # an unknown code as is
    assert parameter_summary(parameters, None) == ""


def test_each_subscription_state_has_one_label():
    def subscription(status):
        return SimpleNamespace(status=status)

    change = SimpleNamespace(effective_at=datetime(2026, 3, 1, 9))
    assert [display_status(subscription(status)) for status in ("pending", "active", "canceled", "suspended", "failed")] == [
        DisplayStatus("pending", "Provisioning"), DisplayStatus("active", "Active"), DisplayStatus("canceled", "Canceled"),
        DisplayStatus("suspended", "Suspended"), DisplayStatus("failed", "Provisioning failed")]
    assert display_status(subscription("pending"), awaiting_payment=True) == DisplayStatus("awaiting_payment", "Awaiting payment")
    assert display_status(subscription("active"), change) == DisplayStatus("change_scheduled", "Change scheduled for 01 March 2026")
    assert display_status(subscription("canceled"), change) == DisplayStatus("canceled", "Canceled")
    assert display_status(subscription("active"), awaiting_payment=True) == DisplayStatus("active", "Active")

