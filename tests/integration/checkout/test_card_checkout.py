"""Checking out by card against localstripe: the order is placed unpaid, charged at once, and
settled (paid invoice, provisioning) exactly once, whether the confirmed intent or the webhook
tells the app first. A refusal leaves the order payable and provisions nothing."""
from sqlalchemy import func, select

from app.billing.models import Invoice
from app.extensions import db
from app.mail.models import OutboxMessage
from app.orders.models import Order
from app.payments.models import Payment
from tests.integration.checkout.helpers import add_to_cart, assert_invoiced_as_quoted, flashes, open_checkout, place_order, term_of
from tests.stripe_support import DECLINED_AT_PAYMENT, THREE_D_SECURE, VISA, event, signed_event


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _order() -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order))


def _check_out_by_card(client, auth, shop, seats=6):
    auth.login("admin@reseller.test")
    add_to_cart(client, term_of(shop.reseller_plan), seats=seats)
    page = open_checkout(client)
    return page, place_order(client, page, payment_method="card")


def _mail() -> list[tuple[str, str]]:
    return [(m.kind, m.subject) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def _deliver(client, intent_id: str, order_id: int, event_id: str, kind="payment_intent.succeeded"):
    body, signature = signed_event(event(event_id, kind, {"id": intent_id, "object": "payment_intent", "metadata": {"order_id": str(order_id)}}))
    return client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": signature, "Content-Type": "application/json"})


def test_a_card_order_is_paid_by_the_confirmed_intent_then_invoiced_and_provisioned_once(client, auth, shop, card_on_file, localstripe, handed_off):
    # given a reseller with a Visa card on file
    card_on_file(shop.reseller, VISA)
    # when it checks out by card (16.00 + 1 extra seat 2.00, 10 % tax)
    page, response = _check_out_by_card(client, auth, shop)
    # then it lands on its order, paid with one PaymentIntent of exactly the quote
    order = _order()
    assert (response.status_code, response.headers["Location"]) == (303, f"/orders/{order.number}")
    assert (order.payment_method, order.payment_status, order.total) == ("card", "paid", 1980)
    assert [(i["amount"], i["status"]) for i in localstripe.payment_intents(order.id)] == [(1980, "succeeded")]
    # and its invoice is issued paid, equal to the order and the quote, and provisioning started once
    assert_invoiced_as_quoted(order, page)
    invoice = db.session.scalar(select(Invoice))
    assert (invoice.status, invoice.payment_method, invoice.paid_at, invoice.due_at) == ("paid", "card", order.paid_at, invoice.issued_at)
    assert handed_off == [order.number]
    shown = client.get(response.headers["Location"])
    assert flashes(shown) == [f"Payment received. Thank you! Order {order.number} is being set up."] and invoice.number in shown.get_data(as_text=True)
    # and submitting the same checkout again changes nothing
    again = place_order(client, page, payment_method="card")
    assert again.headers["Location"] == f"/orders/{order.number}"
    assert count(Order) == count(Invoice) == count(Payment) == 1 and len(localstripe.payment_intents()) == 1 and len(handed_off) == 1


def test_webhook_first_then_the_buyers_return_from_3d_secure_settle_the_order_once(client, auth, shop, card_on_file, localstripe, handed_off):
    # given a card that asks for 3-D Secure: the checkout sends the buyer to its bank
    card_on_file(shop.reseller, THREE_D_SECURE)
    page, response = _check_out_by_card(client, auth, shop)
    order = _order()
    assert response.headers["Location"] == f"/payments/orders/{order.id}/authenticate?next=/orders/{order.number}"
    assert (order.payment_status, count(Invoice), handed_off) == ("unpaid", 0, [])
    # when the bank confirms, and the provider's webhook reaches the app before the buyer's browser does
    payment = db.session.scalar(select(Payment))
    localstripe.authenticate(payment.provider_intent_id, localstripe.payment_intent(payment.provider_intent_id)["client_secret"], success=True)
    assert _deliver(client, payment.provider_intent_id, order.id, "evt_first").get_json()["result"] == "payment succeeded"
    # then the order is paid, invoiced and provisioned
    assert (_order().payment_status, count(Invoice), handed_off) == ("paid", 1, [order.number])
    # when the browser comes back, and the same event is delivered again
    back = client.post(f"/payments/orders/{order.id}/authenticate", data={"next": f"/orders/{order.number}"})
    assert _deliver(client, payment.provider_intent_id, order.id, "evt_first").get_json()["result"] == "duplicate"
    assert _deliver(client, payment.provider_intent_id, order.id, "evt_other").get_json()["result"] == "no change"
    # then the buyer sees its paid order, and nothing happened twice
    assert back.headers["Location"] == f"/orders/{order.number}"
    assert count(Invoice) == 1 and handed_off == [order.number]
    assert _mail() == [("order_confirmation", f"Thank you for subscribing: order {order.number}")]
    assert_invoiced_as_quoted(_order(), page)


def test_the_buyers_return_from_3d_secure_first_then_the_webhook_change_nothing(client, auth, shop, card_on_file, localstripe, handed_off):
    card_on_file(shop.reseller, THREE_D_SECURE)
    page, _ = _check_out_by_card(client, auth, shop)
    order, payment = _order(), db.session.scalar(select(Payment))
    localstripe.authenticate(payment.provider_intent_id, localstripe.payment_intent(payment.provider_intent_id)["client_secret"], success=True)
    back = client.post(f"/payments/orders/{order.id}/authenticate", data={"next": f"/orders/{order.number}"}, follow_redirects=True)
    assert "Payment confirmed. Thank you!" in flashes(back)
    assert _deliver(client, payment.provider_intent_id, order.id, "evt_late").get_json()["result"] == "no change"
    assert (_order().payment_status, count(Invoice), handed_off) == ("paid", 1, [order.number])
    assert_invoiced_as_quoted(_order(), page)


def test_a_failed_3d_secure_leaves_the_order_unpaid_and_payable_and_provisions_nothing(client, auth, shop, card_on_file, localstripe, handed_off):
    card_on_file(shop.reseller, THREE_D_SECURE)
    _check_out_by_card(client, auth, shop)
    order, payment = _order(), db.session.scalar(select(Payment))
    localstripe.authenticate(payment.provider_intent_id, localstripe.payment_intent(payment.provider_intent_id)["client_secret"], success=False)
    back = client.post(f"/payments/orders/{order.id}/authenticate", data={"next": f"/orders/{order.number}"}, follow_redirects=True)
    assert flashes(back)[-1] == ("The payment did not go through: The provided PaymentMethod has failed authentication. "
                                 "Your order is not paid; you can pay it again.")
    assert (_order().payment_status, count(Invoice), handed_off) == ("failed", 0, [])
    pay_page = client.get(f"/orders/{order.number}/pay").get_data(as_text=True)
    assert "The provided PaymentMethod has failed authentication." in pay_page and 'name="seen_attempts" type="hidden" value="1"' in pay_page


def test_a_declined_card_shows_the_banks_reason_and_a_second_attempt_pays_the_order(client, auth, shop, card_on_file, localstripe, handed_off):
    # given a card that the bank declines
    card_on_file(shop.reseller, DECLINED_AT_PAYMENT)
    page, response = _check_out_by_card(client, auth, shop)
    order = _order()
    # then the buyer is sent to the order's pay page with the bank's reason; nothing is invoiced or provisioned
    assert (response.status_code, response.headers["Location"]) == (303, f"/orders/{order.number}/pay")
    pay_page = client.get(response.headers["Location"])
    assert flashes(pay_page) == [f"The payment did not go through: Your card was declined. Order {order.number} is not paid; you can pay it again."]
    assert "Your bank said: Your card was declined." in pay_page.get_data(as_text=True)
    assert (order.payment_status, count(Invoice), handed_off) == ("failed", 0, [])
    assert "Pay now" in client.get(f"/orders/{order.number}").get_data(as_text=True)
    assert _mail() == [("payment_failed", f"Payment failed for order {order.number}")]
    # when the buyer saves another card and pays again (twice: a double click)
    card_on_file(shop.reseller, VISA)
    paid = client.post(f"/orders/{order.number}/pay", data={"seen_attempts": "1"})
    client.post(f"/orders/{order.number}/pay", data={"seen_attempts": "1"})
    # then attempt 2 paid the order once: one invoice, one hand-off, the declined intent cancelled
    assert paid.headers["Location"] == f"/orders/{order.number}"
    assert (_order().payment_status, db.session.scalar(select(Payment.attempts)), handed_off) == ("paid", 2, [order.number])
    assert sorted(i["status"] for i in localstripe.payment_intents(order.id)) == ["canceled", "succeeded"]
    assert_invoiced_as_quoted(_order(), page)
    assert client.get(f"/orders/{order.number}/pay").headers["Location"] == f"/orders/{order.number}"
    assert _mail() == [("payment_failed", f"Payment failed for order {order.number}"),
                       ("order_confirmation", f"Thank you for subscribing: order {order.number}")]


def test_without_a_card_on_file_the_buyer_is_sent_to_the_card_form_and_back_to_pay(client, auth, shop, localstripe, handed_off):
    _, response = _check_out_by_card(client, auth, shop)
    order = _order()
    assert response.headers["Location"] == f"/payments/card?next=/orders/{order.number}/pay"
    assert (order.payment_status, count(Payment), count(Invoice), handed_off) == ("unpaid", 0, 0, [])


def test_only_the_buyers_admins_may_pay_an_order(client, auth, shop, card_on_file, localstripe, handed_off):
    card_on_file(shop.reseller, DECLINED_AT_PAYMENT)
    _check_out_by_card(client, auth, shop)
    number = _order().number
    auth.logout()
    auth.login("member@reseller.test")
    assert client.post(f"/orders/{number}/pay", data={"seen_attempts": "1"}).status_code == 403
    auth.logout()
    auth.login("staff@dist.test")
    assert client.get(f"/orders/{number}/pay").status_code == 404
    assert (_order().payment_status, db.session.scalar(select(Payment.attempts))) == ("failed", 1)
