"""The back office lists every fulfilment request by state (paged, searchable by order number or
request id) and answers a vendor's question in the buyer's place, logged (issue 13)."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.activity import ActivityEntry
from app.extensions import db
from app.provisioning.runner import run_request
from tests.integration.provisioning.test_pages import _failed, _handed_off, _inquiring


def test_each_state_lists_its_requests_and_the_search_finds_one_by_order_number(client, auth, clean_redis, place_order, fast_provisioning):
    failed = _failed(place_order)
    inquiring = _inquiring(place_order)
    done = _handed_off(place_order)
    assert run_request(done.id, "test:9") == "done"
    auth.login("staff@dist.test")

    by_state = {state: client.get(f"/staff/provisioning?state={state}").get_data(as_text=True)
                for state in ("failed", "inquiring", "completed")}
    found = client.get(f"/staff/provisioning?q={done.order.number.lower()}").get_data(as_text=True)
    by_id = client.get(f"/staff/provisioning?q={inquiring.id}").get_data(as_text=True)

    assert [f'id="request-{r.id}"' in by_state["failed"] for r in (failed, inquiring, done)] == [True, False, False]
    assert [f'id="request-{r.id}"' in by_state["inquiring"] for r in (failed, inquiring, done)] == [False, True, False]
    assert [f'id="request-{r.id}"' in by_state["completed"] for r in (failed, inquiring, done)] == [False, False, True]
    assert f'id="request-{done.id}"' in found and f'id="request-{failed.id}"' not in found
    assert f'id="request-{inquiring.id}"' in by_id and f'id="request-{failed.id}"' not in by_id
    assert "The domain taken.example is already registered with another account." in by_state["inquiring"]
    assert f'action="/staff/provisioning/{inquiring.id}/answer"' in by_state["inquiring"]
    assert f'action="/staff/provisioning/{done.id}/retry"' not in by_state["completed"]
    # each table is named for screen readers
    assert '<caption class="visually-hidden">Failed provisioning requests</caption>' in by_state["failed"]
    assert '<caption class="visually-hidden">Completed provisioning requests</caption>' in by_state["completed"]


def test_an_unknown_state_falls_back_to_what_needs_attention(client, auth, clean_redis, place_order, fast_provisioning):
    failed = _failed(place_order)
    auth.login("staff@dist.test")
    page = client.get("/staff/provisioning?state=<script>").get_data(as_text=True)
    assert f'id="request-{failed.id}"' in page and "<script>" not in page


def test_staff_answer_the_vendors_question_for_the_buyer_and_it_is_logged(client, auth, world, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("staff@dist.test")

    response = client.post(f"/staff/provisioning/{request.id}/answer", data={"value": "Fresh.Example"}, follow_redirects=True)

    assert "the answer \u201cfresh.example\u201d went to the vendor" in response.get_data(as_text=True)
    db.session.refresh(request)
    assert (request.state, request.subscription.parameters) == ("pending", {"domain": "fresh.example"})
    entry = db.session.scalars(select(ActivityEntry).where(ActivityEntry.action == "provisioning.answered",
                                                           ActivityEntry.organisation_id == request.subscription.owner_id)).one()
    assert (entry.organisation_id, entry.actor_user_id, entry.on_behalf_id) == (
        request.subscription.owner_id, world.users.staff.id, world.distributor.id)
    assert run_request(request.id, "test:2") == "done"


def test_a_bad_staff_answer_is_refused_and_changes_nothing(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("staff@dist.test")

    response = client.post(f"/staff/provisioning/{request.id}/answer", data={"value": "not a domain"}, follow_redirects=True)

    assert "Enter a domain name such as example.com." in response.get_data(as_text=True)
    db.session.refresh(request)
    assert request.state == "inquiring"
    assert db.session.scalars(select(ActivityEntry)).all() == []


def test_customers_cannot_use_the_staff_answer(client, auth, clean_redis, place_order, fast_provisioning):
    request = _inquiring(place_order)
    auth.login("admin@customer-a.test")
    assert client.post(f"/staff/provisioning/{request.id}/answer", data={"value": "fresh.example"}).status_code == 404
    db.session.refresh(request)
    assert request.state == "inquiring"


def test_the_queue_page_reads_as_many_statements_for_two_failed_requests_as_for_one(client, auth, clean_redis, place_order,
                                                                                    fast_provisioning, count_queries):
    # Each row shows its order and its subscription's owner, plan and product: loaded with the
    # rows, not one query per row (200 stuck requests once took 403 statements).
    auth.login("staff@dist.test")

    def statements() -> int:
        db.session.expire_all()  # the test's rows in the session spare no query
        with count_queries() as counter:
            assert client.get("/staff/provisioning").status_code == 200
        return counter.count

    first = _failed(place_order)
    one = statements()
    second = _failed(place_order)
    two = statements()

    page = client.get("/staff/provisioning").get_data(as_text=True)
    assert f'id="request-{first.id}"' in page and f'id="request-{second.id}"' in page
    assert two == one
