"""The marketplace's e-mails: what each says, to whom, and about which event.

Each function queues its messages in the caller's transaction (``outbox.queue_mail``), keyed
by (kind, the event's subject, recipient), so calling it twice queues nothing more. Texts come
from ``templates/mail/<kind>.txt`` and ``.html``; amounts in the marketplace's locale.
"""
from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from flask import current_app
from sqlalchemy import select

from app.accounts.activity import record_activity
from app.accounts.invitations import invite
from app.accounts.models import Role, User
from app.accounts.password_reset import PASSWORD_RESET_MAX_AGE, reset_token
from app.accounts.verification import VERIFICATION_MAX_AGE, verification_token
from app.extensions import db
from app.mail.outbox import public_url, queue_mail
from app.money import Money
from app.payments.models import Payment


def _formatter(currency: str, marketplace):
    locale = marketplace.locale if marketplace is not None else "en_US"
    return lambda amount: Money(int(amount), currency).format(locale)


def email_verification(user, now: datetime) -> None:
    """The link that proves ``user``'s address, after sign-up and whenever they ask again (each
    request is its own message; the requests are throttled)."""
    link = public_url("onboarding.verify_email", token=verification_token(user))
    queue_mail("email_verification", user.email, "Confirm your e-mail address", "email_verification",
               event_key=f"user:{user.id}:{uuid4().hex}", now=now, context={"user_id": user.id}, user=user,
               organisation=user.organisation, link=link, days=VERIFICATION_MAX_AGE.days)


def password_reset(user, now: datetime) -> None:
    """A single-use link to choose a new password (each request is its own message)."""
    link = public_url("onboarding.reset_password", token=reset_token(user))
    queue_mail("password_reset", user.email, "Reset your password", "password_reset",
               event_key=f"user:{user.id}:{uuid4().hex}", now=now, context={"user_id": user.id}, user=user, link=link,
               minutes=int(PASSWORD_RESET_MAX_AGE.total_seconds() // 60))


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
               pay_url=public_url("orders.pay", number=order.number),
               cancel_after_hours=current_app.config["UNPAID_ORDER_CANCEL_AFTER"] // 3600)


def order_cancelled_unpaid(order, now: datetime) -> None:
    """The card order was not paid in time and is cancelled: nothing was charged, nothing set up."""
    queue_mail("order_cancelled", order_contact(order), f"Order {order.number} cancelled: not paid", "order_cancelled",
               event_key=f"order:{order.id}", now=now, context={"order_id": order.id}, order=order,
               money=_formatter(order.currency, order.marketplace), order_url=public_url("orders.detail", number=order.number),
               shop_url=public_url("catalog.browse"))


def subscription_ready(request, subscription, recipient: str, now: datetime) -> User | None:
    """Provisioning completed a purchase: "New subscription" to the buyer; the invitation of a
    new customer's administrator (or a single-user subscription's end user); the credentials
    to the address given in the order ("send credentials to"). Returns the invited user."""
    context = {"subscription_id": subscription.id, "order_id": request.order_id, "request_id": request.id}
    plan, owner = subscription.plan, subscription.owner
    queue_mail("new_subscription", recipient, f"New subscription: {plan.name}", "new_subscription",
               event_key=f"subscription:{subscription.id}", now=now, context=context, subscription=subscription, plan=plan,
               owner=owner, order=request.order,
               order_url=public_url("orders.detail", number=request.order.number) if request.order is not None else None)
    invited = _invitation(request, subscription, context, now)
    _credentials(subscription, context, now)
    return invited


def storefront_ready(request, subscription, recipient: str, now: datetime) -> None:
    """A Reseller Storefront subscription is live: how the reseller finds and brands its
    storefront (sent once per subscription)."""
    from app.accounts.storefronts import storefront_of

    storefront = storefront_of(subscription.owner_id)
    if storefront is None:
        return
    queue_mail("storefront_ready", recipient, "Your storefront is live: make it yours", "storefront_ready",
               event_key=f"subscription:{subscription.id}", now=now,
               context={"subscription_id": subscription.id, "request_id": request.id}, owner=subscription.owner,
               plan=subscription.plan, storefront=storefront, settings_url=public_url("reseller.storefront"),
               storefront_url=public_url("white_label.home", shop=storefront.slug))


def _invitation(request, subscription, context: dict, now: datetime) -> User | None:
    line, plan, owner = request.order_line, subscription.plan, subscription.owner
    single_user = plan.kind == "single_user"
    email = line.admin_email if line is not None and line.admin_email else (first_admin_email(owner) if single_user else "")
    if not email:
        return None
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
    return user


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


def member_invited(invitation, organisation, invited_by, now: datetime, subscription=None) -> int | None:
    """An administrator invited a user (``invitation`` from ``app.accounts.members``), to the
    organisation or to a seat of ``subscription``: the link to choose a password, or to sign
    in for someone with an account already. Once per invitation sent (a resend sends again)."""
    user, token = invitation.user, invitation.token
    link = public_url("accounts.accept", token=token) if token else public_url("accounts.login")
    sent = f"{user.invited_at:%Y%m%dT%H%M%S%f}" if token and user.invited_at else "account"
    event = f"user:{user.id}:{sent}" + (f":subscription:{subscription.id}" if subscription is not None else "")
    subject = (f"A {subscription.plan.name} seat is yours at {organisation.name}" if subscription is not None
               else f"You are invited to {organisation.name}")
    return queue_mail("member_invitation", user.email, subject, "member_invitation", event_key=event, now=now,
                      context={"user_id": user.id, "subscription_id": subscription.id if subscription else None},
                      user=user, organisation=organisation, invited_by=invited_by, subscription=subscription,
                      link=link, needs_password=token is not None)


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
