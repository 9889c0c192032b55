from datetime import datetime

import pytest

from app.plans.dunning import DunningAction, next_dunning_step

FIRST_FAILURE = datetime(2026, 3, 1, 6, 0)


def test_a_failed_charge_is_retried_one_three_and_five_days_after_the_first_failure():
    steps = [next_dunning_step(attempts, FIRST_FAILURE) for attempts in (1, 2, 3)]
    assert [step.action for step in steps] == [DunningAction.RETRY] * 3
    assert [step.at for step in steps] == [datetime(2026, 3, 2, 6), datetime(2026, 3, 4, 6), datetime(2026, 3, 6, 6)]
    assert not any(step.suspends for step in steps)


def test_the_fourth_failure_suspends_the_subscription():
    step = next_dunning_step(4, FIRST_FAILURE, now=datetime(2026, 3, 6, 6, 5))
    assert step.suspends and step.action is DunningAction.SUSPEND
    assert step.at == datetime(2026, 3, 6, 6, 5)
    assert next_dunning_step(9, FIRST_FAILURE).at == datetime(2026, 3, 6, 6)


def test_dunning_starts_only_after_a_failure():
    with pytest.raises(ValueError):
        next_dunning_step(0, FIRST_FAILURE)
