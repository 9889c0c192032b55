"""``flask cancel-unpaid-orders``: the scheduler's duty by hand, as of a date (demos, time travel)."""
from __future__ import annotations

import click
from flask import current_app

from app.orders import bp
from app.plans.cli import DATE_FORMATS, _end_of_day


@bp.cli.command("cancel-unpaid-orders")
@click.option("--as-of", "as_of", help="Run as of this date (YYYY-MM-DD: its end) or time (YYYY-MM-DDTHH:MM); default now.")
def cancel_unpaid_orders_command(as_of: str | None) -> None:
    """Cancel the card orders still unpaid UNPAID_ORDER_CANCEL_AFTER seconds after placing."""
    from app.core.clock import FixedClock, current_now
    from app.orders.abandonment import cancel_unpaid_orders

    moment = _end_of_day(click.DateTime(formats=DATE_FORMATS).convert(as_of, None, None), as_of) if as_of else current_now()
    saved = current_app.config.get("CLOCK")
    try:
        current_app.config["CLOCK"] = FixedClock(moment)  # the mails and dates it writes see this moment
        click.echo(f"{moment:%Y-%m-%d %H:%M}: {cancel_unpaid_orders(moment)} unpaid order(s) cancelled")
    finally:
        current_app.config["CLOCK"] = saved
