"""The reseller home's plan filter at any number of plans: a search of the plans its customers
use (htmx fills the list as one types; "Find" does the same without JavaScript), each plan found
a link to the table filtered by it, the other filters kept. Another reseller's plans stay hidden."""
from __future__ import annotations

import html
import re
from datetime import datetime

from app.extensions import db
from tests import factories
from tests.integration.reseller_home.test_home_page import ids_in, text_of


def choices_in(response) -> list[tuple[str, str]]:
    """(href, name) of each plan the search lists."""
    return [(html.unescape(href), name) for href, name in
            re.findall(r'<a href="([^"]+)" data-plan-choice="\d+">([^<]+)</a>', response.get_data(as_text=True))]


def _secret_plan(book, subscribe):
    """A plan only another reseller's customer uses."""
    world = book.world
    plan = factories.make_plan(world.product, distributor=world.distributor, marketplace=world.us, code="secret-plan")
    factories.add_plan_resource(plan, world.seats, distributor=world.distributor, marketplace=world.us, included=1)
    db.session.commit()
    subscribe(datetime(2026, 2, 1, 9), seats=2, plan=plan, owner=world.foreign_customer, payer=world.other_reseller)
    return plan


def test_the_plan_search_lists_the_plans_in_use_and_links_to_the_table_filtered_by_each(client, auth, book, subscribe):
    secret = _secret_plan(book, subscribe)
    single = book.single_plan
    auth.login("member@reseller.test")  # read-only members filter too

    listed = client.get("/reseller/plan-choices?plan_q=PL&status=active&sort=margin&order=desc&page=3")
    assert choices_in(listed) == [(f"/reseller/?status=active&plan={single.id}&sort=margin&order=desc", "plus")]
    assert "1 matching plan." in text_of(listed)
    every = client.get("/reseller/plan-choices?plan_q=")  # its customers' plans: not its own, not another reseller's
    assert [name for _, name in choices_in(every)] == ["for-customers", "plus"]
    assert "No plan in use matches “secret”." in text_of(client.get("/reseller/plan-choices?plan_q=secret"))

    href = choices_in(listed)[0][0]
    filtered = client.get(href)
    assert ids_in(filtered) == [book.solo_sub.id] and "Plan: <strong>plus</strong>" in text_of(filtered)
    foreign = text_of(client.get(f"/reseller/?plan={secret.id}"))
    assert "secret-plan" not in foreign and ids_in(client.get(f"/reseller/?plan={secret.id}")) == []


def test_without_javascript_find_lists_the_plans_on_the_page_and_the_form_keeps_the_filters(client, auth, book):
    auth.login("admin@reseller.test")
    text = text_of(client.get("/reseller/?status=active&q=solo&plan_q=plu"))
    assert re.search(r'<input type="hidden" name="status" value="active"><input type="hidden" name="q" value="solo">', text)
    assert 'name="plan_q" maxlength="100"' in text and 'value="plu"' in text
    assert choices_in(client.get("/reseller/?status=active&q=solo&plan_q=plu")) == [
        (f"/reseller/?status=active&plan={book.single_plan.id}&q=solo", "plus")]
    assert "<select" not in text.split("data-plan-finder", 1)[1].split("</form>", 1)[0]


def test_a_long_list_of_plans_is_cut_and_says_so(client, auth, book, monkeypatch):
    from app.control_panel.reseller import overview

    monkeypatch.setattr(overview, "PLAN_CHOICES", 1)
    auth.login("admin@reseller.test")
    response = client.get("/reseller/plan-choices?plan_q=")
    assert [name for _, name in choices_in(response)] == ["for-customers"]
    assert "The first 1 matching plans: type more of the name to narrow them." in text_of(response)
