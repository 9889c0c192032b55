"""What a payer does next after asking to pay by card: one answer for orders and invoices."""
from types import SimpleNamespace

import pytest

from app.payments.errors import (
    CardDeclined, NoCardOnFile, PaymentCanceled, PaymentError, PaymentProviderError, PaymentRequiresAction,
)
from app.payments.steps import PayStep, pay_step


def _raises(failure):
    def start():
        raise failure
    return start


@pytest.mark.parametrize("failure, step", [
    (CardDeclined("Your card has insufficient funds."), PayStep("declined", "Your card has insufficient funds.")),
    (PaymentRequiresAction(intent=None), PayStep("authenticate", "Your bank asks you to confirm this payment.")),
    (PaymentCanceled(), PayStep("canceled", PaymentCanceled.message)),
    (NoCardOnFile(), PayStep("add_card", "Add a card before paying by card.")),
    (PaymentProviderError("HTTP 500 from the provider"), PayStep("unavailable", PaymentError.message)),
])
def test_each_failure_names_its_step_with_the_payers_message(failure, step):
    assert pay_step(_raises(failure)) == step


def test_an_outcome_is_paid_or_processing():
    assert pay_step(lambda: SimpleNamespace(succeeded=True)) == PayStep("paid")
    assert pay_step(lambda: SimpleNamespace(succeeded=False)) == PayStep("processing")


def test_anything_but_a_payment_failure_is_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        pay_step(lambda: 1 / 0)
