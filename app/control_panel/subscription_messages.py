"""What the buyer is told after a change or a cancellation (flash messages)."""
from __future__ import annotations

from app.money import Money


def _date(moment) -> str:
    return f"{moment:%d %B %Y}"


def change_message(placed, preview, viewer) -> tuple[str, str]:
    """What ``viewer`` (an organisation) is told; the payer's amount only to the payer (a
    customer whose reseller pays never sees its reseller's cost)."""
    change = preview.change
    waits = [line for line in change.lines if line.effective_at > change.now]
    if placed.order is None:
        when = _date(waits[0].effective_at) if waits else "the next period"
        return (f"The decrease is scheduled for {when}: until then nothing changes and you can withdraw it.", "success")
    order = placed.order
    if viewer.id == order.buyer_id:
        how = "charged to your card on file" if placed.charge_by_card else "invoiced on account"
        text = f"Change confirmed: order {order.number}, {Money(order.total, order.currency).format()} {how}."
    else:
        text = f"Change confirmed: {Money(change.customer_total, change.currency).format()} before tax, billed through your reseller."
    text += " The vendor is being updated."
    if waits:
        text += f" The decrease takes effect on {_date(waits[0].effective_at)}."
    return text, "success"


def _decrease(change) -> str:
    return f"The decrease scheduled for {_date(change.effective_at)}"


def cancel_message(outcome) -> str:
    """What a cancellation did, and what became of a scheduled decrease."""
    quote = outcome.quote
    if quote.immediate:
        text = "The subscription has ended. The unused days are credited to your account."
    else:
        text = (f"The subscription is cancelled: it stays active until {_date(quote.effective_at)} and can be resumed "
                "until then.")
    if outcome.dropped_change is not None:
        text += f" {_decrease(outcome.dropped_change)} is dropped."
    return text


def resume_message(outcome) -> str:
    """What a resume did, and that a decrease the cancellation dropped stays dropped."""
    text = "The subscription is active again and renews as normal."
    if outcome.dropped_change is not None:
        text += (f" {_decrease(outcome.dropped_change)} was dropped by the cancellation and stays dropped: "
                 "change the resource limits to schedule it again.")
    return text


def withdraw_message(change) -> str:
    return f"{_decrease(change)} is withdrawn: nothing changes at the next period."
