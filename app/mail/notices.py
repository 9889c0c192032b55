"""The marketplace's e-mails: what each says, to whom, and about which event.

Each function queues its messages in the caller's transaction (``outbox.queue_mail``), keyed
by (kind, the event's subject, recipient), so calling it twice queues nothing more. Texts come
from ``templates/mail/<kind>.txt`` and ``.html``; amounts in the marketplace's locale.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.accounts.activity import record_activity
from app.accounts.invitations import invite
from app.accounts.models import Role, User
from app.extensions import db
from app.mail.outbox import public_url, queue_mail
from app.money import Money
from app.payments.models import Payment


def _formatter(currency: str, marketplace):
    locale = marketplace.locale if marketplace is not None else "en_US"
    return lambda amount: Money(int(amount), currency).format(locale)


def first_admin_email(organisation) -> str:
    return db.session.scalar(select(User.email).where(User.organisation_id == organisation.id, User.role == Role.ADMIN.value,
                                                      User.is_enabled.is_(True)).order_by(User.id).limit(1)) or ""


def order_contact(order) -> str:
    """Who hears about an order: whoever placed it, else the buyer's billing e-mail or first
    administrator."""
    if order.placed_by is not None:
        return order.placed_by.email
    billing = order.buyer.billing_info
    return (billing.billing_email if billing is not None else "") or first_admin_email(order.buyer)


def order_confirmed(order, invoice, now: datetime) -> None:
    """"Thank you for subscribing", with the invoice attached: the order is paid or invoiced."""
    attachments = [{"kind": "invoice_pdf", "invoice_id": invoice.id}] if invoice is not None else []
    queue_mail("order_confirmation", order_contact(order), f"Thank you for subscribing: order {order.number}", "order_confirmation",
               event_key=f"order:{order.id}", now=now, context={"order_id": order.id, "invoice_id": invoice.id if invoice else None},
               attachments=attachments, order=order, invoice=invoice, money=_formatter(order.currency, order.marketplace),
               order_url=public_url("orders.detail", number=order.number),
               invoice_url=public_url("billing.invoice", number=invoice.number) if invoice is not None else None)


def payment_failed(order, reason: str, now: datetime) -> None:
    """The card was declined (or 3-D Secure failed): once per attempt."""
    attempt = db.session.scalar(select(Payment.attempts).where(Payment.order_id == order.id)) or 0
    queue_mail("payment_failed", order_contact(order), f"Payment failed for order {order.number}", "payment_failed",
               event_key=f"order:{order.id}:attempt:{attempt}", now=now, context={"order_id": order.id, "attempt": attempt},
               order=order, reason=reason, money=_formatter(order.currency, order.marketplace),
               pay_url=public_url("orders.pay", number=order.number))


def subscription_ready(request, subscription, recipient: str, now: datetime) -> None:
    """Provisioning completed a purchase: "New subscription" to the buyer; the invitation of a
    new customer's administrator (or a single-user subscription's end user); the credentials
    to the address given in the order ("send credentials to")."""
    context = {"subscription_id": subscription.id, "order_id": request.order_id, "request_id": request.id}
    plan, owner = subscription.plan, subscription.owner
    queue_mail("new_subscription", recipient, f"New subscription: {plan.name}", "new_subscription",
               event_key=f"subscription:{subscription.id}", now=now, context=context, subscription=subscription, plan=plan,
               owner=owner, order=request.order,
               order_url=public_url("orders.detail", number=request.order.number) if request.order is not None else None)
    _invitation(request, subscription, context, now)
    _credentials(subscription, context, now)


def _invitation(request, subscription, context: dict, now: datetime) -> None:
    line, plan, owner = request.order_line, subscription.plan, subscription.owner
    single_user = plan.kind == "single_user"
    email = line.admin_email if line is not None and line.admin_email else (first_admin_email(owner) if single_user else "")
    if not email:
        return
    user, token = invite(owner, email)
    link = public_url("accounts.accept", token=token) if token else public_url("accounts.login")
    kind = "activation" if single_user else "invitation"
    subject = f"Activate your {plan.name} subscription" if single_user else f"You are invited to administer {owner.name}"
    queued = queue_mail(kind, user.email, subject, kind, event_key=f"subscription:{subscription.id}", now=now,
                        context=context, subscription=subscription, plan=plan, owner=owner, link=link,
                        needs_password=token is not None, reseller=owner.parent)
    if queued is not None:
        what = "Activation" if single_user else "Invitation as administrator"
        record_activity(owner.id, "invitation.sent", f"{what} sent to {user.email} ({plan.name})", subject=user, now=now)


def _credentials(subscription, context: dict, now: datetime) -> None:
    parameters = subscription.parameters or {}
    recipient = str(parameters.get("send_credentials_to") or "").strip()
    if not recipient:
        return
    username = str(parameters.get("admin_username") or "Admin")
    login = f"{username}@{parameters['domain']}" if parameters.get("domain") else username
    queue_mail("credentials", recipient, f"Your administrator login for {subscription.plan.name}", "credentials",
               event_key=f"subscription:{subscription.id}", now=now, context=context, subscription=subscription,
               plan=subscription.plan, owner=subscription.owner, login=login)


def provisioning_failed(request, subscription, recipient: str, now: datetime) -> None:
    """Provisioning gave up: the buyer (what happens next) and the operations team (the error)."""
    context = {"subscription_id": subscription.id, "order_id": request.order_id, "request_id": request.id}
    event_key = f"request:{request.id}:{(request.failed_at or now):%Y%m%dT%H%M%S}"
    plan = subscription.plan
    queue_mail("provisioning_failed", recipient, f"We could not set up {plan.name} yet", "provisioning_failed",
               event_key=event_key, now=now, context=context, subscription=subscription, plan=plan, owner=subscription.owner,
               order=request.order, for_staff=False)
    queue_mail("provisioning_failed", current_app.config["STAFF_ALERT_EMAIL"],
               f"Provisioning failed: request {request.id} ({plan.name})", "provisioning_failed", event_key=event_key, now=now,
               context=context, subscription=subscription, plan=plan, owner=subscription.owner, order=request.order,
               for_staff=True, request=request, staff_url=public_url("back_office.provisioning"))
