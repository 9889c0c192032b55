"""``flask run-duties``: the lifecycle duties as of a date, for demos, tests and catching up."""
from __future__ import annotations

from datetime import datetime, time

import click
from flask import current_app

from app.plans import bp

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _end_of_day(value: datetime | None, raw: str | None) -> datetime | None:
    """A bare date means the end of that day: everything due that day is done."""
    if value is None:
        return None
    return datetime.combine(value.date(), time(23, 59, 59)) if raw and len(raw) == 10 else value


@bp.cli.command("run-duties")
@click.option("--as-of", "as_of", help="Run as of this date (YYYY-MM-DD: its end) or time (YYYY-MM-DDTHH:MM); default now.")
@click.option("--until", help="Then again each day up to this date, catching up day by day.")
def run_duties_command(as_of: str | None, until: str | None) -> None:
    """Renewals, expiries, invoices and card charges (dunning) as of a date, on the app's clock."""
    # The package imports this module to register the command; the duties reach billing,
    # payments and provisioning, which are loaded only when the command runs.
    from app.core.clock import FixedClock, current_now
    from app.plans.duties import duty_moments, run_duties

    parse = click.DateTime(formats=DATE_FORMATS)
    start = _end_of_day(parse.convert(as_of, None, None), as_of) if as_of else current_now()
    end = _end_of_day(parse.convert(until, None, None), until) if until else None
    if end is not None and end < start:
        raise click.BadParameter("--until comes before --as-of")
    saved = current_app.config.get("CLOCK")
    try:
        for moment in duty_moments(start, end):
            current_app.config["CLOCK"] = FixedClock(moment)  # anything reading "now" sees this day
            click.echo(f"{moment:%Y-%m-%d %H:%M}: {run_duties(moment).summary()}")
    finally:
        current_app.config["CLOCK"] = saved
