"""The reseller panel's customers through HTTP: the list (search, sort, pages, totals in a fixed
number of queries), creating a customer account (validated, duplicates refused, members
refused), the customer page and its tabs, and another reseller's customer answering 404."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.activity import ActivityEntry
from app.accounts.models import Organisation
from app.extensions import db
from tests import factories
from tests.integration.plans.conftest import subscribe  # noqa: F401  (fixture)
from tests.integration.subscriptions.conftest import FEB_1, clock, text_of  # noqa: F401

VALID = {"name": "Northwind Traders", "contact_name": "Nora West", "contact_email": "Nora@Northwind.Example",
         "domain": "Northwind.example", "billing_contact_name": "", "billing_contact_email": "billing@northwind.example"}


def _customers_of(reseller) -> list[Organisation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Organisation).where(Organisation.parent_id == reseller.id).order_by(Organisation.id)))


def _post_new(client, world, **changes):
    return client.post("/reseller/customers/new", data={**VALID, "marketplace_id": str(world.us.id), **changes})


def test_the_list_shows_own_customers_with_their_live_subscriptions_and_seats(client, auth, world, subscribe, clock):
    subscribe(FEB_1, seats=8)
    subscribe(FEB_1, seats=12)
    subscribe(FEB_1, seats=6, owner=world.foreign_customer, payer=world.other_reseller)
    auth.login("admin@reseller.test")

    page = text_of(client.get("/reseller/customers"))

    assert "Customer A" in page and "Customer B" in page and "Customer Z" not in page
    row_a = page.split(f'data-customer="{world.customer.id}"')[1].split("</tr>")[0]
    row_b = page.split(f'data-customer="{world.second_customer.id}"')[1].split("</tr>")[0]
    assert "<td class=\"text-end\" data-subscriptions>2</td>" in row_a and "<td class=\"text-end\" data-seats>20</td>" in row_a
    assert "data-subscriptions>0<" in row_b and "data-seats>0<" in row_b
    assert f"/reseller/customers/{world.customer.id}/support" in row_a and "Open panel as reseller" in row_a


def _many_customers(world, count: int) -> None:
    for number in range(count):
        customer = factories.make_customer(world.reseller, name=f"Bulk {number:03d}", marketplace=world.us,
                                           contact_email=f"owner{number}@bulk{number}.test", domain=f"bulk{number}.test")
        factories.make_subscription(customer, world.customer_plan, payer=world.reseller)
    db.session.commit()


def test_search_sort_and_pages_keep_their_state_in_the_url(client, auth, world):
    _many_customers(world, 30)
    world.customer.domain, world.customer.contact_email = "alpha.example", "it@alpha.example"
    db.session.commit()
    auth.login("admin@reseller.test")

    by_domain = text_of(client.get("/reseller/customers?q=ALPHA.exa"))
    by_email = text_of(client.get("/reseller/customers?q=it@alpha"))
    by_name = text_of(client.get("/reseller/customers?q=bulk 01"))
    nothing = text_of(client.get("/reseller/customers?q=%25"))

    assert 'data-total="1"' in by_domain and f'data-customer="{world.customer.id}"' in by_domain
    assert 'data-total="1"' in by_email
    assert 'data-total="10"' in by_name and "Bulk 010" in by_name and "Bulk 020" not in by_name
    assert "No customer matches" in nothing  # % is searched for, not a wildcard

    first = text_of(client.get("/reseller/customers?sort=-name"))
    assert first.index("Customer B") < first.index("Customer A") < first.index("Bulk 029")
    assert 'href="/reseller/customers?page=2&sort=-name"' in first and "Page 1 of 2" in first
    second = text_of(client.get("/reseller/customers?sort=-name&page=2"))
    assert "Page 2 of 2" in second and "Bulk 000" in second and "Customer A" not in second
    junk = client.get("/reseller/customers?sort=drop table&page=-3")
    assert junk.status_code == 200 and "Page 1 of 2" in text_of(junk)


def test_the_list_makes_the_same_few_queries_whatever_the_page(client, auth, world, count_queries):
    _many_customers(world, 60)
    auth.login("admin@reseller.test")
    client.get("/reseller/customers")

    with count_queries() as first:
        assert client.get("/reseller/customers").status_code == 200
    with count_queries() as third:
        assert client.get("/reseller/customers?page=3&sort=-created&q=bulk").status_code == 200

    assert first.count == third.count <= 6


def test_an_admin_creates_a_customer_account_with_clean_values(client, auth, world):
    auth.login("admin@reseller.test")

    created = _post_new(client, world, name="  Northwind   Traders ")

    (customer,) = [c for c in _customers_of(world.reseller) if c.name == "Northwind Traders"]
    assert created.status_code == 302 and created.headers["Location"] == f"/reseller/customers/{customer.id}"
    assert (customer.kind, customer.marketplace_id, customer.contact_name, customer.contact_email, customer.domain,
            customer.billing_contact_name, customer.billing_contact_email) == (
        "customer", world.us.id, "Nora West", "nora@northwind.example", "northwind.example", "Nora West",
        "billing@northwind.example")
    entry = db.session.scalar(select(ActivityEntry).where(ActivityEntry.organisation_id == world.reseller.id))
    assert (entry.action, entry.subject_id, entry.actor_user_id) == ("customer.created", customer.id, world.users.reseller.id)
    page = text_of(client.get(created.headers["Location"]))
    assert "Northwind Traders" in page and "northwind.example" in page and "is your customer now" in page


def test_the_contact_is_invited_as_administrator_when_asked_in_the_same_transaction(client, auth, world):
    from app.accounts.models import User
    from app.mail.models import OutboxMessage

    auth.login("admin@reseller.test")
    created = _post_new(client, world, invite_contact="y")

    customer = _customers_of(world.reseller)[-1]
    nora = db.session.scalar(select(User).where(User.email == "nora@northwind.example"))
    assert created.status_code == 302 and (nora.organisation_id, nora.role, nora.is_enabled) == (customer.id, "admin", False)
    assert db.session.scalar(select(OutboxMessage.subject).where(OutboxMessage.recipient == nora.email)) == \
        "You are invited to Northwind Traders"

    factories.make_user(world.second_customer, "boss@customer-b.example")
    db.session.commit()
    taken = _post_new(client, world, name="Other Co", domain="other.example", contact_email="boss@customer-b.example",
                      invite_contact="y")
    assert taken.status_code == 409 and "already has an account with another organisation" in text_of(taken)
    assert [c.name for c in _customers_of(world.reseller)].count("Other Co") == 0


def test_bad_values_are_refused_with_a_message_and_nothing_is_created(client, auth, world):
    auth.login("admin@reseller.test")
    before = len(_customers_of(world.reseller))
    cases = {
        "name": ({"name": "  "}, "Enter the company name."),
        "contact_email": ({"contact_email": "nora@"}, "Enter a valid e-mail address"),
        "domain": ({"domain": "https://northwind.example/x"}, "Enter a domain name such as example.com"),
        "domain-ip": ({"domain": "10.0.0.1"}, "Enter a domain name such as example.com"),
        "billing": ({"billing_contact_email": "not an address"}, "Enter a valid e-mail address"),
        "marketplace": ({"marketplace_id": "999999"}, "Choose a marketplace."),
        "marketplace-text": ({"marketplace_id": "US"}, "Choose a marketplace."),
        "duplicate-name": ({"name": "customer a"}, "You already have a customer named customer a."),
    }
    for label, (changes, message) in cases.items():
        refused = _post_new(client, world, **changes)
        assert refused.status_code in (400, 409, 422), label
        assert message in text_of(refused) and 'aria-invalid="true"' in text_of(refused), label
    assert len(_customers_of(world.reseller)) == before


def test_a_domain_is_unique_among_one_resellers_customers_only(client, auth, world):
    world.customer.domain = "northwind.example"
    world.foreign_customer.name = "Northwind Traders"
    db.session.commit()
    auth.login("admin@reseller.test")

    same_domain = _post_new(client, world, domain="NORTHWIND.example.")
    assert same_domain.status_code == 409 and "already has the domain northwind.example" in text_of(same_domain)

    elsewhere = _post_new(client, world, domain="northwind.test")  # another reseller's customer has the name
    assert elsewhere.status_code == 302


def test_members_see_the_list_but_cannot_create(client, auth, world):
    auth.login("member@reseller.test")
    before = len(_customers_of(world.reseller))

    listing = text_of(client.get("/reseller/customers"))

    assert "Customer A" in listing and "New customer" not in listing and "Administrators only" in listing
    assert client.get("/reseller/customers/new").status_code == 403
    assert _post_new(client, world).status_code == 403
    assert len(_customers_of(world.reseller)) == before


def test_the_customer_page_has_its_tabs_each_at_its_own_address(client, auth, world, subscribe, clock):
    mine = subscribe(FEB_1, seats=9)
    sibling = subscribe(FEB_1, seats=7, owner=world.second_customer)
    for_a = factories.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": world.customer}],
                                 placed_by=world.users.reseller, total=1100)
    by_a = factories.make_order(world.customer, placed_by=world.users.customer, total=900)
    for_b = factories.make_order(world.reseller, [{"plan": world.customer_plan, "beneficiary": world.second_customer}],
                                 placed_by=world.users.reseller)
    invoice_a, invoice_b = factories.make_invoice(world.customer, (1000,)), factories.make_invoice(world.second_customer)
    db.session.commit()
    auth.login("admin@reseller.test")
    base = f"/reseller/customers/{world.customer.id}"

    subscriptions, orders = text_of(client.get(base)), text_of(client.get(base + "/orders"))
    users, invoices = text_of(client.get(base + "/users")), text_of(client.get(base + "/invoices"))

    assert f'data-subscription="{mine.id}"' in subscriptions and f'data-subscription="{sibling.id}"' not in subscriptions
    assert 'data-count="seats">14<' in subscriptions and 'data-count="subscriptions">2<' in subscriptions  # 9 + the ordered one's 5 and 'aria-current="page" href="' + base + '">Subscriptions' in subscriptions
    assert for_a.number in orders and by_a.number in orders and for_b.number not in orders
    assert f'href="/orders/{for_a.number}"' in orders and f'href="/orders/{by_a.number}"' not in orders
    assert 'data-user="admin@customer-a.test"' in users and "admin@customer-b.test" not in users
    assert invoice_a.number in invoices and invoice_b.number not in invoices
    assert f'href="{base}/orders/new" data-add-order' in subscriptions


def test_another_resellers_customer_is_not_found_on_any_tab(client, auth, world):
    auth.login("admin@other.test")
    for suffix in ("", "/orders", "/users", "/invoices"):
        assert client.get(f"/reseller/customers/{world.customer.id}{suffix}").status_code == 404
    assert client.get(f"/reseller/customers/{world.reseller.id}").status_code == 404  # a reseller is no customer
    auth.logout()
    auth.login("admin@reseller.test")
    assert client.get(f"/reseller/customers/{world.foreign_customer.id}/users").status_code == 404
    assert client.get(f"/reseller/customers/{world.foreign_customer.id}/invoices").status_code == 404


def test_at_bench_size_every_page_of_5000_customers_costs_the_same_queries(client, auth, world, count_queries):
    from sqlalchemy import insert

    from app.plans.models import Subscription, SubscriptionResource

    # given 5,000 customers of the reseller, each with a subscription of 1 to 10 seats
    db.session.execute(insert(Organisation), [
        {"name": f"Bench {n:04d}", "kind": "customer", "parent_id": world.reseller.id, "marketplace_id": world.us.id,
         "contact_email": f"it@bench{n}.example", "domain": f"bench{n}.example"} for n in range(5000)])
    ids = {name: id_ for id_, name in db.session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.name.like("Bench %")))}
    term = world.customer_plan.terms[0]
    db.session.execute(insert(Subscription), [
        {"owner_id": ids[f"Bench {n:04d}"], "payer_id": world.reseller.id, "plan_id": world.customer_plan.id,
         "plan_term_id": term.id, "marketplace_id": world.us.id, "currency": "USD", "status": "active"} for n in range(5000)])
    subscriptions = {owner: id_ for owner, id_ in db.session.execute(select(Subscription.owner_id, Subscription.id))}
    db.session.execute(insert(SubscriptionResource), [
        {"subscription_id": subscriptions[ids[f"Bench {n:04d}"]], "resource_id": world.seats.id, "quantity": n % 10 + 1}
        for n in range(5000)])
    db.session.commit()
    auth.login("admin@reseller.test")
    client.get("/reseller/customers")

    # when the first page, a late sorted page and a search are read
    with count_queries() as first:
        page_one = text_of(client.get("/reseller/customers"))
    with count_queries() as late:
        page_late = text_of(client.get("/reseller/customers?sort=-domain&page=150"))
    with count_queries() as searched:
        found = text_of(client.get("/reseller/customers?q=bench4321.example"))

    # then each costs the same few queries, and the totals are the rows' own
    assert first.count == late.count == searched.count <= 6
    assert 'data-total="5002"' in page_one and "Page 150 of 201" in page_late
    row = found.split(f'data-customer="{ids["Bench 4321"]}"')[1].split("</tr>")[0]
    assert "data-subscriptions>1<" in row and "data-seats>2<" in row
