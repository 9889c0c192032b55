from types import SimpleNamespace

import pytest

from app.plans.policy import CancelPolicy, ChangePolicy, DecreasePolicy, describe_policy


def plan(**columns):
    values = dict(payment_model="prepaid", decrease_policy="next_period", decrease_window_days=0,
                  cancel_policy="period_end", cancel_window_days=0)
    values.update(columns)
    return SimpleNamespace(**values)


def test_the_default_policy_in_plain_words():
    policy = ChangePolicy.of_plan(plan())
    assert policy == ChangePolicy()
    assert describe_policy(policy) == (
        "Added units apply at once and are charged for the days left in the current billing period.",
        "Reductions take effect at the start of the next billing period, without a refund for the current one; "
        "until then they can be withdrawn.",
        "Cancelling stops the renewal: the subscription stays active until the end of the current billing period, "
        "without a refund, and can be resumed until then.",
    )


def test_window_policies_name_their_days():
    policy = ChangePolicy.of_plan(plan(decrease_policy="window", decrease_window_days=7,
                                       cancel_policy="window", cancel_window_days=1))
    assert (policy.decrease, policy.cancel) == (DecreasePolicy.WINDOW, CancelPolicy.WINDOW)
    _, decrease, cancel = describe_policy(policy)
    assert decrease.startswith("Units added within the last 7 days can be removed at once, with a refund")
    assert cancel.startswith("Cancelling within 1 day of the start of a billing period ends the subscription at once")


def test_postpaid_plans_refund_nothing_so_their_windows_are_ignored():
    policy = ChangePolicy.of_plan(plan(payment_model="postpaid", decrease_policy="window", decrease_window_days=7))
    assert policy == ChangePolicy(postpaid=True) and not policy.decrease_window
    assert describe_policy(policy)[0].endswith("invoiced at its end for the highest quantity used during it.")


def test_a_window_needs_days():
    with pytest.raises(ValueError):
        ChangePolicy(decrease=DecreasePolicy.WINDOW)
    with pytest.raises(ValueError):
        ChangePolicy(cancel_window_days=-1)
