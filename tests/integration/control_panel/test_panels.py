"""The panels by audience through HTTP: each panel's home and navigation, its role guard, and the
old subscription addresses redirecting to the viewer's panel."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.plans.models import Subscription
from tests import factories


def _subscription_of_customer(world) -> Subscription:
    subscription = factories.make_subscription(world.customer, world.customer_plan, payer=world.reseller)
    db.session.commit()
    return subscription


def test_each_audience_finds_its_panel_home_with_its_navigation(client, auth, world):
    _subscription_of_customer(world)
    for email, home, title, link in [("admin@reseller.test", "/reseller/", "Reseller panel", 'href="/reseller/subscriptions"'),
                                     ("member@reseller.test", "/reseller/", "Reseller panel", 'href="/reseller/subscriptions"'),
                                     ("admin@customer-a.test", "/customer/", "Customer panel", 'href="/customer/subscriptions"'),
                                     ("staff@dist.test", "/staff/", "Back office", 'href="/staff/outbox"')]:
        auth.login(email)
        page = client.get(home)
        text = page.get_data(as_text=True)
        assert page.status_code == 200, email
        assert title in text and link in text and "data-panel-nav" in text, email
        auth.logout()


def test_the_reseller_panel_sees_its_customers_subscriptions_and_the_customer_panel_its_own(client, auth, world):
    subscription = _subscription_of_customer(world)
    factories.make_subscription(world.foreign_customer, world.customer_plan, payer=world.other_reseller)
    db.session.commit()
    auth.login("admin@reseller.test")
    overview = client.get("/reseller/").get_data(as_text=True)
    assert f'data-subscription="{subscription.id}"' in overview and "Customer Z" not in overview
    auth.logout()
    auth.login("admin@customer-a.test")
    assert client.get(f"/customer/subscriptions/{subscription.id}").status_code == 200
    assert client.get(f"/reseller/subscriptions/{subscription.id}").status_code == 404  # not a reseller


def test_outsiders_get_404_members_may_look_but_not_act_and_anonymous_visitors_sign_in(client, auth, world):
    subscription = _subscription_of_customer(world)
    assert client.get("/reseller/").status_code == 302 and "/sign-in" in client.get("/customer/").headers["Location"]
    auth.login("admin@customer-a.test")
    assert [client.get(url).status_code for url in ("/reseller/", "/staff/", "/staff/outbox")] == [404, 404, 404]
    auth.logout()
    auth.login("staff@dist.test")
    assert [client.get(url).status_code for url in ("/reseller/", "/customer/")] == [404, 404]
    auth.logout()
    auth.login("member@reseller.test")
    assert client.get(f"/reseller/subscriptions/{subscription.id}").status_code == 200
    assert client.get(f"/reseller/subscriptions/{subscription.id}/change").status_code == 403
    assert client.post(f"/reseller/subscriptions/{subscription.id}/cancel").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Subscription.status).where(Subscription.id == subscription.id)) == "active"


def test_the_old_subscription_addresses_redirect_to_the_viewers_panel(client, auth, world):
    subscription = _subscription_of_customer(world)
    for email, panel in [("admin@reseller.test", "reseller"), ("admin@customer-a.test", "customer"), ("staff@dist.test", "staff")]:
        auth.login(email)
        listing, detail = client.get("/subscriptions"), client.get(f"/subscriptions/{subscription.id}")
        assert (listing.status_code, listing.headers["Location"]) == (301, f"/{panel}/subscriptions")
        assert (detail.status_code, detail.headers["Location"]) == (301, f"/{panel}/subscriptions/{subscription.id}")
        auth.logout()
    auth.login("admin@customer-b.test")
    assert client.get(f"/subscriptions/{subscription.id}").status_code == 404  # another tenant's: not found


def test_the_back_office_home_counts_what_needs_the_staff(client, auth, world):
    _subscription_of_customer(world)
    factories.make_invoice(world.customer, (1000,))
    db.session.commit()
    auth.login("staff@dist.test")
    text = client.get("/staff/").get_data(as_text=True)
    assert "Open invoices" in text and 'href="/staff/invoices?status=open"' in text
    assert "Live subscriptions" in text and 'href="/staff/subscriptions"' in text
