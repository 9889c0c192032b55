"""The staff outbox shows a message's HTML rendered in a sandboxed frame, in a real browser
under the app's strict policy (issue 15, item 10)."""
import pytest

from app.core.clock import current_now
from app.extensions import db
from app.mail.outbox import queue_plain
from tests import factories

pytestmark = pytest.mark.browser


def test_staff_see_the_message_rendered_in_its_frame(world, live_server, page, screenshot):
    message_id = queue_plain("new_subscription", world.users.customer.email, "Ready", "Your subscription is ready.",
                             context=None, now=current_now())
    db.session.commit()
    errors, failed = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(live_server + "/sign-in")
    page.get_by_label("E-mail address").fill("staff@dist.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/**")

    page.goto(f"{live_server}/staff/outbox/{message_id}")
    frame = page.frame_locator("iframe[data-outbox-html]")

    assert "Your subscription is ready." in frame.locator("body").inner_text()
    assert page.locator("iframe[data-outbox-html]").get_attribute("sandbox") == ""
    screenshot("outbox-html-frame")
    # nothing blocked by a policy, nothing missing (but a favicon, which is not this page's business)
    assert [error for error in errors if "Not Found" not in error.title()] == []
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
