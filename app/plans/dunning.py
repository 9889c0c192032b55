"""Dunning: when a failed renewal charge is tried again, and when the subscription is suspended.

A failed charge is retried 1, 3 and 5 days after the first failure; when the last retry fails
too, the subscription is suspended (and resumed when the invoice is paid). Pure.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

RETRY_AFTER_DAYS = (1, 3, 5)


class DunningAction(str, enum.Enum):
    RETRY = "retry"
    SUSPEND = "suspend"


@dataclass(frozen=True)
class DunningStep:
    action: DunningAction
    at: datetime  # when to retry, or when the suspension is due (the last failure's day)

    @property
    def suspends(self) -> bool:
        return self.action is DunningAction.SUSPEND


def next_dunning_step(attempts: int, first_failed_at: datetime, now: datetime | None = None) -> DunningStep:
    """After ``attempts`` failed charges (the first at ``first_failed_at``): the next retry's
    time, or suspension once every retry failed (``at`` = ``now``, else the last retry's time)."""
    if attempts < 1:
        raise ValueError("dunning starts after a first failed charge")
    if attempts <= len(RETRY_AFTER_DAYS):
        return DunningStep(DunningAction.RETRY, first_failed_at + timedelta(days=RETRY_AFTER_DAYS[attempts - 1]))
    return DunningStep(DunningAction.SUSPEND, now or first_failed_at + timedelta(days=RETRY_AFTER_DAYS[-1]))
