"""Configuration: one class that reads the environment once.

Tests build their own configuration object and hand it to ``create_app``; nothing patches the
environment.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in ``instance/``."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _number(name: str, default: float, kind=float):
    value = os.environ.get(name)
    return kind(value) if value not in (None, "") else kind(default)


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for a running app, read from the environment when the object is made."""

    def __init__(self, instance_path: Path = INSTANCE_PATH) -> None:
        self.INSTANCE_PATH = str(instance_path)
        self.SECRET_KEY = _secret_key(instance_path)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'marketplace.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
        # Where vendors reach us (the webhook connector's call-back URL is built on it).
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.STAFF_ALERT_EMAIL = os.environ.get("STAFF_ALERT_EMAIL", "operations@marketplace.example")
        # RQ workers: a worker whose parent died is noticed after WORKER_TTL; registries are
        # cleaned every WORKER_MAINTENANCE_INTERVAL seconds.
        self.WORKER_TTL = _number("WORKER_TTL", 60, int)
        self.WORKER_MAINTENANCE_INTERVAL = _number("WORKER_MAINTENANCE_INTERVAL", 15, int)
        # "simple": jobs run in the worker process (RQ's SimpleWorker, no fork per job: a job's
        # connections, compiled queries and templates are reused); "fork": RQ's default Worker,
        # a forked work-horse per job. See app/worker.py.
        self.WORKER_CLASS = os.environ.get("WORKER_CLASS", "simple")
        # Provisioning: a failed vendor call is retried after BASE x 2^(attempt-1) seconds (at
        # most RETRY_MAX) until MAX_ATTEMPTS calls were made. A job is stopped after JOB_TIMEOUT;
        # a claim older than LEASE (longer than the job timeout) is taken to be abandoned.
        self.PROVISIONING_MAX_ATTEMPTS = _number("PROVISIONING_MAX_ATTEMPTS", 5, int)
        self.PROVISIONING_RETRY_BASE_SECONDS = _number("PROVISIONING_RETRY_BASE_SECONDS", 5.0)
        self.PROVISIONING_RETRY_MAX_SECONDS = _number("PROVISIONING_RETRY_MAX_SECONDS", 600.0)
        self.PROVISIONING_JOB_TIMEOUT = _number("PROVISIONING_JOB_TIMEOUT", 60, int)
        self.PROVISIONING_LEASE_SECONDS = _number("PROVISIONING_LEASE_SECONDS", 90.0)
        # How long a vendor that answered "accepted" may take to call back before we ask again.
        self.PROVISIONING_CALLBACK_TIMEOUT = _number("PROVISIONING_CALLBACK_TIMEOUT", 3600.0)
        # The sweeper runs every SWEEP_INTERVAL seconds and re-enqueues a pending request whose
        # job has not run REQUEUE_AFTER seconds after it was due.
        self.PROVISIONING_SWEEP_INTERVAL = _number("PROVISIONING_SWEEP_INTERVAL", 30, int)
        self.PROVISIONING_REQUEUE_AFTER = _number("PROVISIONING_REQUEUE_AFTER", 60.0)
        # A request interrupted this many times (worker killed mid-call) is given up as failed.
        self.PROVISIONING_MAX_DELIVERIES = _number("PROVISIONING_MAX_DELIVERIES", 25, int)
        self.WEBHOOK_TIMEOUT = _number("WEBHOOK_TIMEOUT", 10.0)
        # Outgoing webhooks (app.webhooks): each POST times out after DELIVERY_TIMEOUT seconds; a
        # failed one is retried after these delays in turn (the last repeating) until
        # RETRY_WINDOW seconds after the event, then the endpoint is disabled. The sweep (every
        # SWEEP_INTERVAL s) re-queues a delivery due for more than SWEEP_GRACE s.
        self.WEBHOOK_DELIVERY_TIMEOUT = _number("WEBHOOK_DELIVERY_TIMEOUT", 5.0)
        self.WEBHOOK_RETRY_DELAYS = tuple(float(part) for part in os.environ.get(
            "WEBHOOK_RETRY_DELAYS", "60,300,1800,7200,18000,36000").split(",") if part.strip())
        self.WEBHOOK_RETRY_WINDOW = _number("WEBHOOK_RETRY_WINDOW", 3 * 86400, int)
        self.WEBHOOK_SWEEP_INTERVAL = _number("WEBHOOK_SWEEP_INTERVAL", 60, int)
        self.WEBHOOK_SWEEP_GRACE = _number("WEBHOOK_SWEEP_GRACE", 30.0)
        # Events (the API's /events and what webhooks send) are kept this many days, then purged
        # hourly; an event a delivery still has to send stays until that delivery ends.
        self.EVENT_RETENTION_DAYS = _number("EVENT_RETENTION_DAYS", 30.0)
        # Webhooks go to public addresses only, unless this is a development machine whose
        # receivers listen on loopback (`make run` and the tests allow it).
        self.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
        # The demo connector's simulated vendor (a product's connector_settings override these).
        self.DEMO_VENDOR_LATENCY = _number("DEMO_VENDOR_LATENCY", 2.0)
        self.DEMO_VENDOR_FAILURE_RATE = _number("DEMO_VENDOR_FAILURE_RATE", 0.0)
        self.DEMO_VENDOR_INQUIRY_RATE = _number("DEMO_VENDOR_INQUIRY_RATE", 0.0)
        # A card order still unpaid this long (seconds) after placing is cancelled
        # (app.orders.abandonment), checked every UNPAID_ORDER_CHECK_INTERVAL seconds.
        self.UNPAID_ORDER_CANCEL_AFTER = _number("UNPAID_ORDER_CANCEL_AFTER", 24 * 3600, int)
        self.UNPAID_ORDER_CHECK_INTERVAL = _number("UNPAID_ORDER_CHECK_INTERVAL", 900, int)
        self._read_stripe_settings()
        self._read_mail_settings()
        self._read_seller_settings()

    def _read_stripe_settings(self) -> None:
        # Test-mode defaults that work with the local stand-in `flask dev` starts (localstripe).
        self.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_localstripe")
        self.STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
        self.STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe")
        self.STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", LOCALSTRIPE_API_BASE).rstrip("/")
        # Where Stripe.js comes from; empty: derived from the API base (see stripe_js_url).
        self.STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "")

    def _read_mail_settings(self) -> None:
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Cloud Marketplace <no-reply@marketplace.localhost>")
        # "smtp" sends; "outbox" only keeps messages in the outbox that staff read.
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if self.MAIL_SERVER else "outbox")
        # Invoice PDFs: "auto" (DejaVu Sans when installed, else Helvetica), "core", or a TTF path.
        self.INVOICE_PDF_FONT = os.environ.get("INVOICE_PDF_FONT", "auto")

    def _read_seller_settings(self) -> None:
        # The distributor's legal details on its invoices (app.billing.seller). Without a legal
        # name here, the distributor organisation's billing information is used.
        for name in ("DISTRIBUTOR_LEGAL_NAME", "DISTRIBUTOR_ADDRESS_LINE1", "DISTRIBUTOR_ADDRESS_LINE2", "DISTRIBUTOR_POSTAL_CODE",
                     "DISTRIBUTOR_CITY", "DISTRIBUTOR_COUNTRY", "DISTRIBUTOR_TAX_ID", "DISTRIBUTOR_BILLING_EMAIL"):
            setattr(self, name, os.environ.get(name, ""))

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Sign-in throttling: this many failures for one e-mail address or one client address
    # within the window lock further attempts until the window has passed.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    MIN_PASSWORD_LENGTH = 10
    # Sign-ups, and requests for an e-mailed link (password reset, a new verification link), are
    # throttled like sign-in: every attempt counts, per e-mail address and per client address.
    SIGN_UP_MAX_ATTEMPTS = 10
    SIGN_UP_WINDOW = timedelta(hours=1)
    EMAIL_LINK_MAX_REQUESTS = 5
    EMAIL_LINK_WINDOW = timedelta(hours=1)
    DEFAULT_MARKETPLACE = "US"
    CATALOG_PAGE_SIZE = 24
    # Storefront cache in Redis (app.catalog.cache): on/off, how long an entry lives, and how
    # often a web process reads the catalog version (it sees its own changes at once).
    STOREFRONT_CACHE = True
    STOREFRONT_CACHE_SECONDS = 600
    STOREFRONT_VERSION_CHECK_SECONDS = 1.0
    # The signed-in user's snapshot in Redis (app.accounts.signed_in); 0 switches it off.
    SIGNED_IN_CACHE_SECONDS = 300
    # The reseller home's twelve-month chart, kept in Redis this long (0: not kept). Its key holds
    # the newest billed period's id, so a renewal anywhere shows at once.
    RESELLER_CHART_CACHE_SECONDS = 600
    # Its cards and plan filter (aggregates over every customer subscription), kept this long
    # (0: not kept). Their key holds the subscriptions' newest id and latest change, so any
    # change shows at once; pages and sorts in between reuse them.
    RESELLER_SUMMARY_CACHE_SECONDS = 600
    # "Now" for everything the app dates (app.core.clock): None = the system clock; tests and the
    # time-travel command set a FixedClock or TravelClock.
    CLOCK = None
    LIFECYCLE_DUTIES_INTERVAL = 3600  # seconds between runs of renewals, expiries, invoices, charges
    # A card saved through a SetupIntent (3-D Secure done) pays off-session for this long after.
    CARD_SETUP_FRESH_SECONDS = 3600
    STRIPE_WEBHOOK_TOLERANCE = 300  # seconds a signed webhook stays valid (never 0: that disables the check)
    MAIL_TIMEOUT = 10  # seconds for each SMTP connection
    # An undeliverable message is retried this many times, waiting these many seconds in turn.
    MAIL_RETRY_INTERVALS = (10, 60, 300, 900, 3600)
    # A pending message not tried for this long lost its job (Redis was down): queue it again.
    MAIL_RESEND_AFTER = 2 * 3600
    MAIL_MAX_ATTEMPTS = 30  # then it stays in the outbox, unsent, with its last error for staff
    INVOICE_PDF_COMPRESS = True  # tests switch it off to read the PDF's text
    # The partner API (app.api): requests per API key (Flask-Limiter's notation), counted in
    # API_RATE_LIMIT_STORAGE_URI (None: the app's REDIS_URL); how long a POST waits for a
    # concurrent request with the same Idempotency-Key before answering 409.
    API_RATE_LIMIT = "600 per minute"
    API_RATE_LIMIT_STORAGE_URI = None
    IDEMPOTENCY_WAIT_SECONDS = 10
    TESTING = False


class ProductionConfig(Config):
    """For a deployment behind HTTPS: secure cookies regardless of the environment."""

    def __init__(self, instance_path: Path = INSTANCE_PATH) -> None:
        super().__init__(instance_path)
        self.SESSION_COOKIE_SECURE = True
        self.REMEMBER_COOKIE_SECURE = True
        self.PREFERRED_URL_SCHEME = "https"


LOCALSTRIPE_API_BASE = "http://127.0.0.1:8420"
STRIPE_API_BASE = "https://api.stripe.com"


def stripe_js_url(config) -> str:
    """Stripe.js: ``STRIPE_JS_URL`` when set, else Stripe's own for the real API, else the
    stand-in's copy (localstripe serves one at ``/js.stripe.com/v3/``)."""
    if config.get("STRIPE_JS_URL"):
        return config["STRIPE_JS_URL"]
    api_base = config["STRIPE_API_BASE"].rstrip("/")
    if api_base == STRIPE_API_BASE:
        return "https://js.stripe.com/v3/"
    return api_base + "/js.stripe.com/v3/"


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Several processes (web, worker, tests' threads) share the file: wait for locks.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
