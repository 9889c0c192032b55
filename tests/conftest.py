"""Fixtures: one fresh schema per run (SQLite file or PostgreSQL), emptied after every test.

``TEST_DATABASE_URL`` picks the database: ``sqlite`` (default) or a PostgreSQL URL. The schema is
built by the migrations, as in production. Tests get an app with CSRF off by default; the
security suite builds its own with CSRF on (``make_app(csrf=True)``).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.config import Config, engine_options, normalise_database_url
from app.catalog.cache import bump_catalog_version
from app.accounts.signed_in import forget_signed_in_users
from app.extensions import db
from tests import factories
from tests.stripe_support import localstripe, localstripe_server  # noqa: F401  (fixtures: one localstripe per run)

ARTIFACTS = Path(__file__).parent / "artifacts"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "sqlite")
    if url == "sqlite":
        return f"sqlite:///{tmp_dir / 'test.sqlite3'}"
    return normalise_database_url(url)


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def testing_on_postgres() -> bool:
    """Whether this run's database (``TEST_DATABASE_URL``, however it spells PostgreSQL) is PostgreSQL."""
    return is_postgres(normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite")))


POSTGRES_ONLY_REASON = "needs PostgreSQL: SQLite serialises every writer, so these races cannot happen there"


def pytest_collection_modifyitems(config, items):
    """``postgres_only`` tests (row-lock races) are skipped on SQLite, and only there."""
    if testing_on_postgres():
        return
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=POSTGRES_ONLY_REASON))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On PostgreSQL a ``postgres_only`` test that skips itself fails instead: a race test that
    does not run must not look green on the one database where it can run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and "postgres_only" in item.keywords and testing_on_postgres():
        report.outcome = "failed"
        report.longrepr = f"a postgres_only test was skipped on PostgreSQL: {report.longrepr}"


class TestConfig(Config):
    def __init__(self, database_url: str, instance_path: Path, csrf: bool = False) -> None:
        os.environ.setdefault("SECRET_KEY", "test-secret-key")
        super().__init__(instance_path)
        self.SECRET_KEY = "test-secret-key"
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(database_url)
        self.REDIS_URL = TEST_REDIS_URL
        self.WTF_CSRF_ENABLED = csrf
        self.SERVER_NAME = None
        self.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the tests' receivers listen on loopback
        # Tests empty the tables and restart their ids, so a key naming the newest billed period
        # could meet another test's chart: not kept unless a test asks.
        self.RESELLER_CHART_CACHE_SECONDS = 0
        self.RESELLER_SUMMARY_CACHE_SECONDS = 0  # the same for the home's cards (keyed by ids and times)
        self.API_RATE_LIMIT_STORAGE_URI = "memory://"  # tests about rate limits ask for Redis


@pytest.fixture(scope="session")
def run_dir():
    with tempfile.TemporaryDirectory(prefix="marketplace-tests-") as directory:
        yield Path(directory)


@pytest.fixture(scope="session")
def database_url(run_dir) -> str:
    url = _database_url(run_dir)
    if is_postgres(url):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return url


def _start_with_empty_g() -> None:
    """Tests keep one app context open across requests, so Flask would share ``g`` (and
    Flask-Login's cached user) between them; production gives each request a fresh one."""
    from flask import g

    for name in list(g):
        g.pop(name)


@pytest.fixture(scope="session")
def make_app(database_url, run_dir):
    """Build an app on the test database; ``make_app(csrf=True)`` for CSRF-checking tests."""

    def build(csrf: bool = False, **overrides):
        config = TestConfig(database_url, run_dir / "instance", csrf=csrf)
        for key, value in overrides.items():
            setattr(config, key, value)
        application = create_app(config)
        application.before_request(_start_with_empty_g)
        return application

    return build


@pytest.fixture(scope="session")
def _session_app(make_app):
    from flask_migrate import upgrade

    application = make_app()
    with application.app_context():
        upgrade()
    return application


def _empty_all_tables() -> None:
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()
    bump_catalog_version()  # TRUNCATE is SQL text, which the storefront cache's listener does not see
    forget_signed_in_users()  # nor the signed-in users' snapshots' (and the ids start again)


@pytest.fixture
def app(_session_app):
    with _session_app.app_context():
        yield _session_app
        try:
            db.session.rollback()
            _empty_all_tables()
        finally:
            # Never leave a connection in a transaction holding the TRUNCATE's locks: every later
            # test would wait on them forever.
            db.session.rollback()
            db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = factories.PASSWORD, follow_redirects: bool = False):
        return self.client.post("/sign-in", data={"email": email, "password": password}, follow_redirects=follow_redirects)

    def logout(self):
        return self.client.post("/sign-out")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def world(app):
    """A small tiered world: a distributor, an enabled reseller with two customers, a second
    reseller with one customer, a US marketplace, one product with a customer plan and a
    reseller plan (monthly and annual), seats and a one-time QuickStart. Users: one admin each."""
    from types import SimpleNamespace

    f = factories
    us = f.make_marketplace("US", "USD", tax_rate_bp=1000)
    distributor = f.make_distributor()
    reseller = f.make_reseller(distributor, name="Reseller One", marketplace=us)
    other_reseller = f.make_reseller(distributor, name="Reseller Two", marketplace=us)
    customer = f.make_customer(reseller, name="Customer A", marketplace=us)
    second_customer = f.make_customer(reseller, name="Customer B", marketplace=us)
    foreign_customer = f.make_customer(other_reseller, name="Customer Z", marketplace=us)
    category = f.make_category("Cloud")
    product = f.make_product(category, name="Sync Tool")
    seats = f.make_resource("seats", measures_seats=True, name="Seats", unit="seat")
    quickstart = f.make_resource("quickstart", kind="one_time", name="QuickStart", unit="service")
    terms = (("monthly", 1), ("annual", 12))
    customer_plan = f.make_plan(product, distributor=distributor, marketplace=us, audience="customer", cost=800, msrp=1000, terms=terms, code="for-customers")
    reseller_plan = f.make_plan(product, distributor=distributor, marketplace=us, audience="reseller", cost=1600, msrp=2000, terms=terms, code="for-resellers")
    for plan in (customer_plan, reseller_plan):
        f.add_plan_resource(plan, seats, distributor=distributor, marketplace=us, included=5, minimum=5, maximum=100, cost=200, msrp=300)
        f.add_plan_resource(plan, quickstart, distributor=distributor, marketplace=us, included=0, minimum=0, maximum=1, cost=20000, msrp=25000)
    users = SimpleNamespace(
        staff=f.make_user(distributor, "staff@dist.test"),
        reseller=f.make_user(reseller, "admin@reseller.test"),
        reseller_member=f.make_user(reseller, "member@reseller.test", role="member"),
        other_reseller=f.make_user(other_reseller, "admin@other.test"),
        customer=f.make_user(customer, "admin@customer-a.test"),
        second_customer=f.make_user(second_customer, "admin@customer-b.test"),
        foreign_customer=f.make_user(foreign_customer, "admin@customer-z.test"),
    )
    db.session.commit()
    return SimpleNamespace(
        us=us, distributor=distributor, reseller=reseller, other_reseller=other_reseller, customer=customer,
        second_customer=second_customer, foreign_customer=foreign_customer, category=category, product=product,
        seats=seats, quickstart=quickstart, customer_plan=customer_plan, reseller_plan=reseller_plan, users=users,
    )


class _QueryCounter:
    def __init__(self):
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``: SQL statements executed."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = _QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def fresh_app(app, make_app):
    """``fresh_app(csrf=False, **config)``: a new app on the test database, to which a test may
    add routes (the shared ``app`` has served requests already); disposed of after the test."""
    built = []

    def build(csrf: bool = False, **overrides):
        application = make_app(csrf=csrf, **overrides)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port by threads: for browsers, webhooks and races."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
