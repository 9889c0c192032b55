"""Imports every area's models so that SQLAlchemy and Alembic see the whole schema."""
from app.accounts.models import BillingInfo, LoginAttempt, Organisation, Storefront, User  # noqa: F401
from app.catalog.models import (  # noqa: F401
    Category,
    Marketplace,
    OrderingParameter,
    Plan,
    PlanResource,
    PlanTerm,
    PlanTermPrice,
    PriceList,
    PriceListVersion,
    PriceListVersionRow,
    Product,
    Resource,
    ResourceCategory,
    ResourcePrice,
)
from app.orders.models import Order, OrderLine, OrderLineItem  # noqa: F401,E402
from app.plans.models import (  # noqa: F401,E402
    BillingPeriod,
    QuantityRecord,
    ScheduledChange,
    Subscription,
    SubscriptionResource,
)
from app.billing.models import Invoice, InvoiceLine  # noqa: F401,E402
from app.cart.models import Cart, CartLine  # noqa: F401,E402
from app.core.models import NumberSequence  # noqa: F401,E402
from app.payments.models import Payment, PaymentAccount, ProcessedWebhookEvent  # noqa: F401,E402
from app.mail.models import OutboxMessage  # noqa: F401,E402
from app.provisioning.models import DemoVendorCall, FulfillmentRequest  # noqa: F401,E402
from app.accounts.activity import ActivityEntry  # noqa: F401,E402
from app.api.models import ApiKey, IdempotencyRecord  # noqa: F401,E402
from app.webhooks.models import Event, WebhookDelivery, WebhookEndpoint  # noqa: F401,E402
