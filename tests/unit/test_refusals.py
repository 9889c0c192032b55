"""The one family of refusals a user may read: kinds, their status codes, problem documents."""
import pytest

from app.accounts.invitations import InvitationInvalid
from app.cart.services import CartFull, OtherMarketplace
from app.catalog.parameters import ParameterInvalid
from app.core import errors as core_errors
from app.core.errors import QuoteChanged, Refusal, RefusalKind, problem_details, status_of
from app.orders import change_lines, checkout
from app.orders.gates import BillingInformationMissing, CartEmpty, CartOfOtherMarketplace, NotAllowedToOrder
from app.orders.payments import CreditLimitExceeded, PaymentFailed, PaymentMethodUnavailable
from app.orders.placing import CheckoutError, IdempotencyConflict
from app.orders.validation import OrderInvalid, Problem, QuantityInvalid
from app.payments.errors import GENERIC_MESSAGE, CardDeclined, NoCardOnFile, PaymentError, PaymentProviderError
from app.plans import errors as plan_errors
from app.provisioning.inquiries import AnswerRejected
from app.provisioning.staff import StaffActionRefused


def test_each_kind_has_its_one_status_code():
    assert {kind.value: status_of(Refusal("No.", kind=kind)) for kind in RefusalKind} == {
        "not_found": 404, "forbidden": 403, "conflict": 409, "invalid": 422, "payment_required": 402, "unavailable": 503,
    }


def test_a_refusal_carries_the_message_as_given_and_is_invalid_by_default():
    refusal = Refusal("Enter a domain name such as example.com.")
    assert (refusal.message, refusal.buyer_message, str(refusal)) == ("Enter a domain name such as example.com.",) * 3
    assert (refusal.kind, refusal.status) == (RefusalKind.INVALID, 422)


def test_a_problem_document_says_the_status_the_kind_and_the_message():
    refusal = CreditLimitExceeded("This order of $17.60 is over your credit limit: only $5.00 of credit left.", None)
    assert problem_details(refusal, instance="/orders") == {
        "type": "about:blank", "title": "Payment Required", "status": 402, "kind": "payment_required",
        "detail": "This order of $17.60 is over your credit limit: only $5.00 of credit left.", "instance": "/orders",
    }
    assert "instance" not in problem_details(NotAllowedToOrder("Only administrators of Acme can place orders."))


def test_a_provider_failure_shows_the_generic_message_and_keeps_the_detail_for_the_log():
    failure = PaymentProviderError("create_payment_intent: connection reset")
    assert (failure.message, failure.buyer_message, str(failure)) == (
        GENERIC_MESSAGE, GENERIC_MESSAGE, "create_payment_intent: connection reset")
    assert problem_details(failure)["detail"] == GENERIC_MESSAGE
    assert problem_details(failure)["status"] == 503


@pytest.mark.parametrize(("refusal", "status"), [
    (CheckoutError("Not placed."), 422),
    (checkout.TermsNotAccepted("Please accept the terms to place the order."), 422),
    (IdempotencyConflict("This form was already used. Reload the page and try again."), 409),
    (QuoteChanged("Prices changed since you looked."), 409),
    (NotAllowedToOrder("Only administrators of Acme can place orders."), 403),
    (CartEmpty(), 422),
    (CartOfOtherMarketplace("Your cart holds items from EU (EUR)."), 409),
    (BillingInformationMissing(), 409),
    (OrderInvalid([Problem("Your cart is empty.")]), 422),
    (PaymentFailed("No."), 402),
    (PaymentMethodUnavailable("Choose one of the payment methods offered."), 402),
    (PaymentError(), 402),
    (CardDeclined("Your card was declined."), 402),
    (NoCardOnFile(), 402),
    (plan_errors.BelowMinimum("Seats: at least 5."), 422),
    (plan_errors.SubscriptionNotChangeable("Only active subscriptions change."), 409),
    (plan_errors.NotCancellable("Cancelled already."), 409),
    (CartFull("A cart holds at most 20 lines."), 409),
    (OtherMarketplace("Your cart holds items from EU (EUR)."), 409),
    (QuantityInvalid("Seats: enter a whole number."), 422),
    (ParameterInvalid("Domain is required."), 422),
    (StaffActionRefused("Give the reason."), 409),
    (AnswerRejected("Enter a value."), 422),
    (InvitationInvalid("This invitation link is not valid."), 422),
])
def test_every_refusal_a_user_reads_is_in_the_family_with_its_status(refusal, status):
    assert isinstance(refusal, Refusal)
    assert refusal.status == status
    assert problem_details(refusal)["detail"] == refusal.message


def test_the_default_messages_stay_as_they_were():
    assert CartEmpty().message == "Your cart is empty."
    assert BillingInformationMissing().message == "Before your first order, tell us who to invoice."
    assert NoCardOnFile().buyer_message == "Add a card before paying by card."
    assert OrderInvalid([Problem("A."), Problem("B.")]).message == "A.; B."


def test_there_is_one_class_named_quote_changed():
    assert plan_errors.QuoteChanged is core_errors.QuoteChanged
    modules = (checkout, change_lines, plan_errors, core_errors)
    assert {getattr(module, name) for module in modules for name in dir(module) if name.endswith("QuoteChanged")} == {QuoteChanged}
    changed = QuoteChanged("Prices changed since you looked.", quote="the new quote")
    assert (changed.quote, changed.status) == ("the new quote", 409)
