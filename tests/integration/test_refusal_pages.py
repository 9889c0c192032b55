"""A refusal a view lets through becomes the error page with its message and its kind's status."""
import pytest

from app.orders.gates import NotAllowedToOrder
from app.payments.errors import GENERIC_MESSAGE, PaymentProviderError
from app.plans.errors import NotCancellable


@pytest.fixture
def refusing_client(make_app, app):
    """An app with one page per refusal to raise (its own app: the URL map of the real one
    stays what the security suite enumerates)."""
    refusing = make_app()
    refusals = {
        "forbidden": NotAllowedToOrder("Only administrators of Reseller One can place orders."),
        "conflict": NotCancellable("This subscription is cancelled already."),
        "provider": PaymentProviderError("create_payment_intent: connection reset by peer"),
    }

    @refusing.get("/refuse/<name>")
    def refuse(name: str):
        raise refusals[name]

    return refusing.test_client()


@pytest.mark.parametrize(("name", "status", "message"), [
    ("forbidden", 403, "Only administrators of Reseller One can place orders."),
    ("conflict", 409, "This subscription is cancelled already."),
    ("provider", 503, GENERIC_MESSAGE),
])
def test_a_refusal_renders_the_error_page_with_its_status_and_message(refusing_client, name, status, message):
    response = refusing_client.get(f"/refuse/{name}")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page
    assert "connection reset" not in page
