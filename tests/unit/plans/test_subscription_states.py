"""The state machine: exactly the listed transitions are legal, every other pair is refused."""
from itertools import product
from types import SimpleNamespace

import pytest

from app.plans.states import ALLOWED_TRANSITIONS, IllegalTransition, SubscriptionStatus, transition

S = SubscriptionStatus
LEGAL = {
    (S.PENDING, S.ACTIVE), (S.PENDING, S.FAILED), (S.FAILED, S.PENDING),
    (S.PENDING, S.EXPIRED),  # its order was cancelled unpaid (issue 15)
    (S.ACTIVE, S.CANCELED), (S.ACTIVE, S.SUSPENDED),
    (S.CANCELED, S.ACTIVE), (S.CANCELED, S.EXPIRED), (S.CANCELED, S.SUSPENDED),
    (S.SUSPENDED, S.ACTIVE), (S.SUSPENDED, S.CANCELED), (S.SUSPENDED, S.EXPIRED),
}


def test_the_table_lists_exactly_the_legal_transitions():
    listed = {(source, target) for source, targets in ALLOWED_TRANSITIONS.items() for target in targets}
    assert listed == LEGAL
    assert set(ALLOWED_TRANSITIONS) == set(S)


@pytest.mark.parametrize("source,target", list(product(S, S)), ids=lambda s: s.value)
def test_every_pair_of_states_moves_only_when_legal(source, target):
    subscription = SimpleNamespace(status=source.value)
    if (source, target) in LEGAL:
        transition(subscription, target)
        assert subscription.status == target.value
    else:
        with pytest.raises(IllegalTransition) as refused:
            transition(subscription, target)
        assert subscription.status == source.value
        assert str(refused.value) == f"A subscription cannot go from {source.value} to {target.value}."


def test_expired_is_final():
    assert ALLOWED_TRANSITIONS[S.EXPIRED] == frozenset()
