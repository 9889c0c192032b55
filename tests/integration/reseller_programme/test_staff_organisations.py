"""The back office's organisations: search, tree, reselling switch (who and when, effective on the
reseller's next request), credit limit and payment terms; staff only."""
from sqlalchemy import select

from app.accounts.activity import ActivityEntry
from app.accounts.models import Organisation
from app.extensions import db
from tests.factories import PASSWORD, make_customer, make_user


def _org(organisation_id: int) -> Organisation:
    db.session.expire_all()
    return db.session.get(Organisation, organisation_id)


def test_staff_search_finds_organisations_by_name_user_email_and_id(client, auth, world):
    auth.login("staff@dist.test")

    by_name = client.get("/staff/organisations?q=customer+a").get_data(as_text=True)
    by_email = client.get("/staff/organisations?q=admin@other.test").get_data(as_text=True)
    by_id = client.get(f"/staff/organisations?q=%23{world.second_customer.id}").get_data(as_text=True)
    resellers = client.get("/staff/organisations?kind=reseller").get_data(as_text=True)

    assert f'data-organisation="{world.customer.id}"' in by_name and "Customer B" not in by_name
    assert f'data-organisation="{world.other_reseller.id}"' in by_email and by_email.count("data-organisation=") == 1
    assert by_id.count("data-organisation=") == 1 and "Customer B" in by_id
    assert resellers.count("data-organisation=") == 2


def test_the_search_pages_many_customers_in_a_fixed_number_of_queries(client, auth, world, count_queries):
    for number in range(60):
        make_customer(world.reseller, name=f"Bulk {number:03d}")
    db.session.commit()
    auth.login("staff@dist.test")
    client.get("/staff/organisations?q=bulk")

    with count_queries() as counter:
        first = client.get("/staff/organisations?q=bulk").get_data(as_text=True)
    second = client.get("/staff/organisations?q=bulk&page=2").get_data(as_text=True)

    assert first.count("data-organisation=") == 50 and second.count("data-organisation=") == 10
    assert "Page 1 of 2" in first
    assert counter.count <= 8  # user, count, rows with parents, child counts: never one per row


def test_the_tree_shows_resellers_and_expands_their_customers_a_page_at_a_time(client, auth, world):
    auth.login("staff@dist.test")

    top = client.get("/staff/organisations/tree").get_data(as_text=True)
    children = client.get(f"/staff/organisations/{world.reseller.id}/children", headers={"HX-Request": "true"})

    assert f'data-tree-node="{world.reseller.id}"' in top and "Show 2 customers" in top
    assert f'data-tree-node="{world.customer.id}"' not in top
    assert children.status_code == 200 and "<html" not in children.get_data(as_text=True)
    assert f'data-tree-node="{world.customer.id}"' in children.get_data(as_text=True)


def test_staff_disable_reselling_and_the_reseller_loses_its_panel_on_its_next_request(app, world):
    reseller_client, staff_client = app.test_client(), app.test_client()
    reseller_client.post("/sign-in", data={"email": "admin@reseller.test", "password": PASSWORD})
    staff_client.post("/sign-in", data={"email": "staff@dist.test", "password": PASSWORD})
    assert reseller_client.get("/reseller/").status_code == 200

    response = staff_client.post(f"/staff/organisations/{world.reseller.id}/reselling", data={"enabled": "0"})

    assert response.status_code == 302
    reseller = _org(world.reseller.id)
    assert (reseller.reselling_enabled, reseller.reselling_changed_by_id) == (False, world.users.staff.id)
    assert reseller.reselling_changed_at is not None
    assert reseller_client.get("/reseller/").status_code == 404
    page = staff_client.get(f"/staff/organisations/{world.reseller.id}").get_data(as_text=True)
    assert "switched off" in page and "staff@dist.test" in page
    actions = list(db.session.scalars(select(ActivityEntry.action).where(ActivityEntry.organisation_id == world.reseller.id)))
    assert actions == ["reselling.disabled"]


def test_reselling_cannot_be_switched_on_for_a_customer(client, auth, world):
    auth.login("staff@dist.test")

    response = client.post(f"/staff/organisations/{world.customer.id}/reselling", data={"enabled": "1"}, follow_redirects=True)

    assert "only reseller accounts can resell" in response.get_data(as_text=True)
    assert _org(world.customer.id).reselling_enabled is False


def test_staff_set_a_credit_limit_and_payment_terms(client, auth, world):
    auth.login("staff@dist.test")

    response = client.post(f"/staff/organisations/{world.customer.id}/account-terms",
                           data={"credit_limit": "2500.50", "payment_terms_days": "45"})

    assert response.status_code == 302
    customer = _org(world.customer.id)
    assert (customer.credit_limit, customer.payment_terms_days) == (250050, 45)


def test_a_bad_credit_limit_or_terms_is_refused_and_changes_nothing(client, auth, world):
    world.customer.credit_limit = 1000
    db.session.commit()
    auth.login("staff@dist.test")

    answers = [client.post(f"/staff/organisations/{world.customer.id}/account-terms", data=data)
               for data in ({"credit_limit": "-5", "payment_terms_days": "30"}, {"credit_limit": "12.345", "payment_terms_days": "30"},
                            {"credit_limit": "1e9", "payment_terms_days": "30"}, {"credit_limit": "10", "payment_terms_days": "31"})]

    assert [answer.status_code for answer in answers] == [422, 422, 422, 400]
    assert "Enter the amount as digits" in answers[0].get_data(as_text=True)
    assert "USD has 2 decimal places" in answers[1].get_data(as_text=True)
    customer = _org(world.customer.id)
    assert (customer.credit_limit, customer.payment_terms_days) == (1000, 30)


def test_an_empty_credit_limit_means_card_only(client, auth, world):
    world.customer.credit_limit = 1000
    db.session.commit()
    auth.login("staff@dist.test")

    client.post(f"/staff/organisations/{world.customer.id}/account-terms", data={"credit_limit": "", "payment_terms_days": "30"})

    assert _org(world.customer.id).credit_limit is None


def test_the_organisation_page_lists_its_users(client, auth, world):
    make_user(world.reseller, "second@reseller.test", role="member")
    db.session.commit()
    auth.login("staff@dist.test")

    page = client.get(f"/staff/organisations/{world.reseller.id}").get_data(as_text=True)

    assert page.count("data-user=") == 3 and "second@reseller.test" in page and "Customers (2)" in page


def test_on_account_invoices_fall_due_after_the_organisations_payment_terms(app, world):
    from datetime import datetime, timedelta

    from app.billing.invoicing import NewInvoiceLine, create_invoice
    from tests.factories import make_billing_info

    make_billing_info(world.customer)
    world.customer.payment_terms_days = 45
    now = datetime(2026, 5, 1, 9)

    invoice = create_invoice(world.customer, "USD", [NewInvoiceLine("Seats", 1000, 1, 1000)], now)

    assert invoice.due_at == now + timedelta(days=45)
