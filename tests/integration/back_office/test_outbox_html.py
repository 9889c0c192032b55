"""The staff outbox shows a message's HTML rendered, in a sandboxed frame served under a strict
policy, besides its source (issue 15, item 10)."""
from __future__ import annotations

from app.core.clock import current_now
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.outbox import queue_plain

POLICY = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; "
          "base-uri 'none'; form-action 'none'")


def _message(world) -> OutboxMessage:
    message_id = queue_plain("new_subscription", world.users.customer.email, "Ready", "Your subscription is ready.",
                             context=None, now=current_now())
    db.session.commit()
    return db.session.get(OutboxMessage, message_id)


def test_staff_see_the_html_in_a_sandboxed_frame(client, auth, world):
    message = _message(world)
    auth.login("staff@dist.test")

    page = client.get(f"/staff/outbox/{message.id}").get_data(as_text=True)

    assert (f'<iframe class="outbox-html" sandbox="" src="/staff/outbox/{message.id}/html"\n'
            f'              title="HTML version of Ready" data-outbox-html></iframe>') in page
    assert "HTML version (source)" in page  # the source stays readable too


def test_the_frame_serves_the_message_html_alone_under_a_sandboxing_policy(client, auth, world):
    message = _message(world)
    auth.login("staff@dist.test")

    response = client.get(f"/staff/outbox/{message.id}/html")

    assert response.status_code == 200 and response.get_data(as_text=True) == message.html
    assert "Your subscription is ready." in message.html
    assert (response.headers["Content-Type"], response.headers["Content-Security-Policy"],
            response.headers["X-Frame-Options"], response.headers["Cache-Control"]) == (
        "text/html; charset=utf-8", POLICY, "SAMEORIGIN", "no-store")


def test_a_message_without_html_and_a_non_staff_user_get_not_found(client, auth, world):
    message = _message(world)
    message.html = ""
    db.session.commit()
    auth.login("staff@dist.test")
    assert client.get(f"/staff/outbox/{message.id}/html").status_code == 404
    assert 'data-outbox-html' not in client.get(f"/staff/outbox/{message.id}").get_data(as_text=True)
    auth.logout()
    auth.login("admin@customer-a.test")
    assert client.get(f"/staff/outbox/{message.id}/html").status_code == 404
