"""Change policy of a plan: when decreases and cancellations take effect, and what they refund.

Increases always apply at once and are charged pro rata by days (prepaid plans) or show in the
period's peak (postpaid plans). Decreases and cancellations follow the plan's columns:

- decrease ``next_period`` (default): at the start of the next billing period, no refund;
  ``window``: units added within the last N days can be removed at once with a pro-rata refund;
  the rest of a decrease waits for the next period.
- cancel ``period_end`` (default): active until the period ends, resumable until then, no
  refund; ``window``: within N days of the start of a billing period the subscription ends at
  once with a pro-rata refund; later, as ``period_end``.

Postpaid plans bill in arrears what was used, so they have nothing to refund: their window
policies are ignored and the defaults apply (``describe_policy`` says so).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from app.catalog.models import PaymentModel


class DecreasePolicy(str, enum.Enum):
    NEXT_PERIOD = "next_period"
    WINDOW = "window"


class CancelPolicy(str, enum.Enum):
    PERIOD_END = "period_end"
    WINDOW = "window"


@dataclass(frozen=True)
class ChangePolicy:
    decrease: DecreasePolicy = DecreasePolicy.NEXT_PERIOD
    decrease_window_days: int = 0
    cancel: CancelPolicy = CancelPolicy.PERIOD_END
    cancel_window_days: int = 0
    postpaid: bool = False

    def __post_init__(self) -> None:
        for policy, days in ((self.decrease, self.decrease_window_days), (self.cancel, self.cancel_window_days)):
            if days < 0:
                raise ValueError("a window counts zero or more days")
            if policy.value == "window" and days == 0:
                raise ValueError(f"a {policy.__class__.__name__} window needs a number of days")

    @classmethod
    def of_plan(cls, plan) -> "ChangePolicy":
        """The policy that applies to subscriptions of ``plan`` (postpaid: the defaults)."""
        postpaid = plan.payment_model == PaymentModel.POSTPAID.value
        if postpaid:
            return cls(postpaid=True)
        return cls(
            decrease=DecreasePolicy(plan.decrease_policy or DecreasePolicy.NEXT_PERIOD.value),
            decrease_window_days=plan.decrease_window_days or 0,
            cancel=CancelPolicy(plan.cancel_policy or CancelPolicy.PERIOD_END.value),
            cancel_window_days=plan.cancel_window_days or 0,
        )

    @property
    def decrease_window(self) -> bool:
        return self.decrease is DecreasePolicy.WINDOW

    @property
    def cancel_window(self) -> bool:
        return self.cancel is CancelPolicy.WINDOW


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def describe_policy(policy: ChangePolicy) -> tuple[str, ...]:
    """The policy in plain words for the confirm page: increases, decreases, cancellation."""
    if policy.postpaid:
        increase = (
            "Added units apply at once. Each billing period is invoiced at its end for the highest "
            "quantity used during it."
        )
    else:
        increase = "Added units apply at once and are charged for the days left in the current billing period."
    if policy.decrease_window:
        decrease = (
            f"Units added within the last {_days(policy.decrease_window_days)} can be removed at once, with a "
            "refund for the days left in the period. Other reductions take effect at the start of the next "
            "billing period, without a refund; until then they can be withdrawn."
        )
    else:
        decrease = (
            "Reductions take effect at the start of the next billing period, without a refund for the "
            "current one; until then they can be withdrawn."
        )
    if policy.cancel_window:
        cancel = (
            f"Cancelling within {_days(policy.cancel_window_days)} of the start of a billing period ends the "
            "subscription at once, with a refund for the days left. Later, it stays active until the end of "
            "the period and can be resumed until then."
        )
    else:
        cancel = (
            "Cancelling stops the renewal: the subscription stays active until the end of the current "
            "billing period, without a refund, and can be resumed until then."
        )
    return increase, decrease, cancel
