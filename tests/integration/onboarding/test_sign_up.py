"""Sign-up of an organisation with its first administrator: what it creates, what it refuses
(changing nothing), and where it is offered."""
import pytest

from app.accounts.signup import SignUp, SignUpClosed, SignUpRefused, sign_up as sign_up_service
from app.core.clock import current_now
from app.extensions import db
from tests import factories as f
from tests.integration.onboarding.helpers import (NEW_PASSWORD, SIGN_UP, attempts, counts, link_path, messages, sign_up,
                                                  signed_in_id, user_of)


def test_a_newcomer_opens_an_account_for_its_organisation_and_is_signed_in(client, world):
    # when a visitor signs up (the address typed with capitals and spaces)
    response = sign_up(client, email="  Ada@Acme.example ")
    # then its organisation is a customer of the distributor in the chosen marketplace, with
    # the visitor as its administrator, signed in, the address not verified yet
    assert (response.status_code, response.headers["Location"]) == (302, "/account/verify?next=/")
    user = user_of("ada@acme.example")
    organisation = user.organisation
    assert (organisation.name, organisation.kind, organisation.parent_id, organisation.marketplace_id) == (
        "Acme Widgets Ltd.", "customer", world.distributor.id, world.us.id)
    assert (user.name, user.role, user.is_enabled, user.email_verified_at) == ("Ada Lovelace", "admin", True, None)
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_id(client) == str(user.id)
    # and the verification link is e-mailed to it, once, and the attempt counted
    [message] = messages("email_verification", "ada@acme.example")
    assert message.subject == "Confirm your e-mail address"
    assert link_path(message).startswith("/verify-email/")
    assert "valid for 3 days" in message.body
    assert attempts("sign_up") == 1
    # and the next page says what to do
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We sent a link to <strong>ada@acme.example</strong>" in page
    assert "Welcome! Your account for Acme Widgets Ltd. is open." in page


def test_the_region_picked_in_the_form_is_the_organisations_marketplace(client, world):
    eu = f.make_marketplace("EU", "EUR", country="DE", tax_region="EU", name="European Union")
    db.session.commit()
    sign_up(client, region="EU")
    assert user_of("ada@acme.example").organisation.marketplace_id == eu.id


WEAK = "Use at least 10 characters."
LETTERS = "Mix letters with digits or symbols."
TAKEN = "An account with this e-mail address exists already. Sign in, or reset your password."


@pytest.mark.parametrize("overrides, message", [
    ({"email": "ADMIN@customer-a.test"}, TAKEN),
    ({"password": "Short-1", "confirm_password": "Short-1"}, WEAK),
    ({"password": "onlyletterslong", "confirm_password": "onlyletterslong"}, LETTERS),
    ({"confirm_password": "Another-secret-8"}, "The two passwords differ."),
    ({"organisation_name": ""}, "This field is required."),
    ({"organisation_name": "   "}, "This field is required."),
    ({"name": ""}, "This field is required."),
    ({"email": ""}, "This field is required."),
    ({"email": "not-an-address"}, "Enter a valid e-mail address."),
    ({"region": "XX"}, "Not a valid choice."),
])
def test_sign_up_refuses_bad_input_and_changes_nothing(client, world, overrides, message):
    # given the world's organisations and users
    before = counts()
    # when a sign-up is posted with one thing wrong
    response = sign_up(client, **overrides)
    # then it is refused with the reason, nothing is written or sent, and no one is signed in
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == before
    assert signed_in_id(client) is None


def test_sign_up_and_forgot_password_are_offered_beside_sign_in(client, world):
    home = client.get("/").get_data(as_text=True)
    sign_in = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-up?next=/?">Sign up</a>' in home
    assert 'href="/sign-up">Create an account</a>' in sign_in
    assert 'href="/forgot-password">Forgot password?</a>' in sign_in
    assert 'href="/sign-in">Sign in</a>' in client.get("/sign-up").get_data(as_text=True)


def test_a_signed_in_user_is_sent_away_from_the_sign_up_page_and_opens_no_account(client, auth, world):
    auth.login("admin@customer-a.test")
    before = counts()
    response = client.get("/sign-up")
    posted = sign_up(client)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    assert (posted.status_code, posted.headers["Location"]) == (302, "/")
    assert counts() == before and signed_in_id(client) == str(world.users.customer.id)


def test_the_service_signs_up_customers_of_the_seller_it_is_given(world):
    # when a sign-up comes from a reseller's storefront (the seller is passed in)
    details = SignUp("Beta Ltd", "Bo", "bo@beta.example", NEW_PASSWORD, world.us.id)
    user = sign_up_service(details, min_length=10, now=current_now(), seller=world.reseller)
    # then the new organisation is that reseller's customer
    assert (user.organisation.parent_id, user.organisation.kind) == (world.reseller.id, "customer")


def test_the_service_refuses_a_seller_that_does_not_sell(world):
    before = counts()
    details = SignUp("Beta Ltd", "Bo", "bo@beta.example", NEW_PASSWORD, world.us.id)
    with pytest.raises(SignUpClosed) as refused:
        sign_up_service(details, min_length=10, now=current_now(), seller=world.customer)
    assert (refused.value.message, refused.value.status) == ("Sign-up is not open here. Contact your reseller.", 503)
    assert counts() == before


def test_the_sign_up_form_returns_to_where_the_visitor_was(client, world):
    response = sign_up(client, next="/cart")
    assert response.headers["Location"] == "/account/verify?next=/cart"
    client.post("/sign-out")
    assert sign_up(client, email="eve@acme.example", next="//evil.example").headers["Location"] == "/account/verify?next=/"


@pytest.mark.parametrize("field", sorted(SIGN_UP))
def test_every_field_of_the_form_is_required(client, world, field):
    before = counts()
    assert sign_up(client, **{field: ""}).status_code == 400
    assert counts() == before


@pytest.mark.parametrize("details, field, message", [
    (SignUp("   ", "Bo", "bo@beta.example", NEW_PASSWORD, 0), "organisation_name", "Enter your organisation's name."),
    (SignUp("Beta Ltd", "B" * 201, "bo@beta.example", NEW_PASSWORD, 0), "name", "Use at most 200 characters for your name."),
    (SignUp("Beta Ltd", "Bo", "bo@", NEW_PASSWORD, 0), "email", "Enter a valid e-mail address."),
    (SignUp("Beta Ltd", "Bo", "bo@beta.example", "1234567890123", 0), "password", "Mix letters with digits or symbols."),
    (SignUp("Beta Ltd", "Bo", " ADMIN@customer-a.test", NEW_PASSWORD, 0), "email", TAKEN),
])
def test_the_service_refuses_what_the_form_would_and_writes_nothing(world, details, field, message):
    before = counts()
    details = SignUp(**{**vars(details), "marketplace_id": world.us.id})
    with pytest.raises(SignUpRefused) as refused:
        sign_up_service(details, min_length=10, now=current_now())
    assert (refused.value.field, refused.value.message) == (field, message)
    assert counts() == before
