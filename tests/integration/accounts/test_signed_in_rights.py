"""The signed-in user comes from a snapshot (app.accounts.signed_in) without trusting stale rights:
a storefront page as a signed-in user makes no query once seen, and a user disabled or removed,
a role taken away or reselling switched off is refused on the very next request.

Each test serves its requests from a fresh app, as production does (the shared test app keeps
one session across requests, whose rows the snapshot leaves alone)."""
import pytest
from sqlalchemy import event, select, update

from app.accounts import members
from app.accounts.models import Organisation, User
from app.accounts.reselling import set_reselling
from app.core.clock import current_now
from app.extensions import db
from tests import factories as f

RESELLER_PRICES, LIST_PRICES = "Your price", "Retail price (MSRP)"
STOREFRONT = ("/", "/catalog/", "/catalog/?q=sync", "/products/sync-tool", "/products/sync-tool?audience=reseller&term=annual")


@pytest.fixture
def browser(fresh_app):
    """A client of a fresh app, and ``browser.statements(url)``: the status and SQL statements of a GET."""
    application = fresh_app()
    client = application.test_client()
    with application.app_context():
        engine = db.engine

    def statements(url: str) -> tuple[int, int]:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            status = client.get(url).status_code
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return status, len(seen)

    client.statements = statements
    return client


def sign_in(browser, email: str) -> None:
    assert browser.post("/sign-in", data={"email": email, "password": f.PASSWORD}).status_code == 302


def served_from_the_snapshot(browser) -> None:
    """Asks for the catalog until the user comes from the snapshot (the second page after a
    sign-in keeps it), and checks that it does: a cached page then makes no query at all."""
    for _ in range(2):
        browser.get("/catalog/")
    assert browser.statements("/catalog/") == (200, 0)


def test_a_signed_in_user_s_storefront_pages_make_no_query_once_seen(browser, world):
    # Given a customer's admin who has seen each storefront page once
    sign_in(browser, "admin@customer-a.test")
    for url in STOREFRONT:
        browser.get(url)
    # When the pages are seen again, Then not one statement: not even for the user
    assert {url: browser.statements(url) for url in STOREFRONT} == {url: (200, 0) for url in STOREFRONT}
    # And the layout shows the user, its organisation and its cart as before
    page = browser.get("/catalog/").get_data(as_text=True)
    assert "admin@customer-a.test" in page and "Customer A" in page and 'data-cart-count="0"' in page


def test_a_cart_line_shows_in_the_count_on_the_next_page(browser, world):
    sign_in(browser, "admin@customer-a.test")
    served_from_the_snapshot(browser)
    term = world.customer_plan.terms[0]
    assert browser.post("/cart/add", data={"plan_term_id": term.id}).status_code == 302
    assert 'data-cart-count="1"' in browser.get("/catalog/").get_data(as_text=True)


def test_a_disabled_user_is_signed_out_on_the_very_next_request(browser, world):
    # Given a customer's admin whose pages come from the snapshot
    sign_in(browser, "admin@customer-a.test")
    assert browser.get("/customer/subscriptions").status_code == 200
    served_from_the_snapshot(browser)
    # When staff disable the user
    db.session.execute(select(User).where(User.email == "admin@customer-a.test")).scalar_one().is_enabled = False
    db.session.commit()
    # Then the next request is anonymous: the panel sends it to sign in, the storefront shows no user
    assert browser.get("/customer/subscriptions").status_code == 302
    assert "admin@customer-a.test" not in browser.get("/catalog/").get_data(as_text=True)


def test_a_user_disabled_by_a_bulk_statement_is_signed_out_on_the_very_next_request(browser, world):
    sign_in(browser, "admin@customer-a.test")
    assert browser.get("/customer/subscriptions").status_code == 200
    served_from_the_snapshot(browser)
    db.session.execute(update(User).where(User.email == "admin@customer-a.test").values(is_enabled=False))
    db.session.commit()
    assert browser.get("/customer/subscriptions").status_code == 302


def test_a_removed_user_is_signed_out_on_the_very_next_request(browser, world):
    # Given a second administrator of Customer A, signed in and seen by the snapshot
    f.make_user(world.customer, "colleague@customer-a.test")
    db.session.commit()
    sign_in(browser, "colleague@customer-a.test")
    assert browser.get("/customer/subscriptions").status_code == 200
    served_from_the_snapshot(browser)
    # When the first administrator removes them from the organisation
    members.remove_member(world.customer, _user("colleague@customer-a.test").id, world.users.customer, current_now())
    db.session.commit()
    # Then their very next request is signed out
    assert browser.get("/customer/subscriptions").status_code == 302
    assert "colleague@customer-a.test" not in browser.get("/catalog/").get_data(as_text=True)


def test_an_administrator_made_member_loses_the_administrator_s_pages_on_the_very_next_request(browser, world):
    # Given a second administrator of Customer A, who reaches the billing information page
    f.make_user(world.customer, "colleague@customer-a.test")
    db.session.commit()
    sign_in(browser, "colleague@customer-a.test")
    assert browser.get("/account/billing").status_code == 200
    served_from_the_snapshot(browser)
    # When the first administrator makes them a member
    members.change_role(world.customer, _user("colleague@customer-a.test").id, "member", world.users.customer)
    db.session.commit()
    # Then the very next request is refused, and the panel refuses their writes
    assert browser.get("/account/billing").status_code == 403
    assert browser.post("/customer/users/invite", data={"email": "x@customer-a.test", "role": "admin"}).status_code == 403
    assert _user("x@customer-a.test") is None


def test_reselling_switched_off_closes_the_reseller_panel_and_its_prices_on_the_very_next_request(browser, world):
    # Given the reseller's admin and its customer's admin, both seen by the snapshot at their prices
    sign_in(browser, "admin@reseller.test")
    assert browser.get("/reseller/").status_code == 200
    assert "$8.00" in browser.get("/products/sync-tool?audience=customer").get_data(as_text=True)  # its cost
    served_from_the_snapshot(browser)
    # When distributor staff switch reselling off
    set_reselling(world.reseller.id, False, actor=world.users.staff, now=current_now())
    db.session.commit()
    # Then the reseller panel is gone and the storefront shows the MSRP, at once
    assert browser.get("/reseller/").status_code == 404
    assert "$10.00" in browser.get("/products/sync-tool?audience=customer").get_data(as_text=True)


def test_a_customer_sees_its_reseller_s_switch_off_on_the_very_next_request(browser, world):
    # Given a customer of Reseller One, seeing the storefront at its reseller's prices
    client = browser
    sign_in(client, "admin@customer-a.test")
    served_from_the_snapshot(client)
    assert _viewer_label(client) == RESELLER_PRICES
    # When staff switch Reseller One's reselling off
    set_reselling(world.reseller.id, False, actor=world.users.staff, now=current_now())
    db.session.commit()
    # Then the very next page is at list prices
    assert _viewer_label(client) == LIST_PRICES


def _viewer_label(client) -> str:
    page = client.get("/catalog/").get_data(as_text=True)
    return page.split("excluded · ", 1)[1].split("<", 1)[0]


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_the_snapshot_never_holds_the_password_hash(browser, world):
    import json

    from flask import current_app

    from app.accounts.signed_in import _client, _namespace_of, _snapshot_key

    sign_in(browser, "admin@customer-a.test")
    served_from_the_snapshot(browser)
    user = _user("admin@customer-a.test")
    namespace = _namespace_of(str(current_app.config["SQLALCHEMY_DATABASE_URI"]))
    raw = _client(current_app.config["REDIS_URL"]).get(_snapshot_key(namespace, user.id))
    snapshot = json.loads(raw.split(b"\n", 1)[1])  # after the line of dependencies
    assert snapshot["user"]["email"] == "admin@customer-a.test" and "password_hash" not in snapshot["user"]
    assert user.password_hash not in raw.decode()
    assert db.session.get(Organisation, world.customer.id).name == snapshot["organisation"]["name"]


def test_a_released_savepoint_moves_no_version_until_the_outer_commit(app, world):
    """SQLAlchemy calls ``after_commit`` when a SAVEPOINT is released too (invoice numbering does
    that); a version moved then would let a request read the old rows under the new versions and
    keep them as fresh. The signed-in snapshots' and the subscriptions' versions wait for the commit."""
    from app.accounts import signed_in
    from app.plans import version
    from app.plans.models import Subscription

    user = db.session.execute(select(User).where(User.email == "admin@customer-a.test")).scalar_one()

    def versions():
        return signed_in.VERSIONS.current([signed_in.user_key(user.id)]), version.VERSIONS.current()

    before = versions()
    user.is_enabled = False
    db.session.add(Subscription(owner=world.customer, payer=world.customer, plan=world.customer_plan,
                                plan_term=world.customer_plan.terms[0], marketplace=world.customer.marketplace,
                                currency="USD"))
    db.session.flush()
    with db.session.begin_nested():  # released at the end of the block
        pass
    assert versions() == before and None not in before
    db.session.commit()
    after = versions()
    assert after[0] != before[0] and after[1] != before[1]
