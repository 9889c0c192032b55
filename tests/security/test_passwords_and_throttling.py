"""Sign-in throttling and the password policy, through the pages."""
from sqlalchemy import func, select

from app.accounts.models import LoginAttempt, User
from app.extensions import db
from tests import factories

NEW_PASSWORD = "Brand-new-secret-7"


def _failures() -> int:
    return db.session.scalar(select(func.count(LoginAttempt.id)))


def test_sign_in_is_locked_after_five_failures_even_with_the_right_password(client, world):
    email = world.users.customer.email
    statuses = [client.post("/sign-in", data={"email": email, "password": f"wrong-{n}"}).status_code for n in range(5)]
    response = client.post("/sign-in", data={"email": email, "password": factories.PASSWORD})
    assert statuses == [401] * 5
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    assert _failures() == 5
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_throttling_counts_failures_per_client_address_across_accounts(client, world):
    for n in range(5):
        client.post("/sign-in", data={"email": f"nobody{n}@example.com", "password": "guess-123456"})
    response = client.post("/sign-in", data={"email": world.users.reseller.email, "password": factories.PASSWORD})
    assert response.status_code == 429


def test_password_page_needs_a_session(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def _change(client, current, new, confirm=None):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                   "confirm_password": new if confirm is None else confirm})


def test_signed_in_user_changes_password_and_signs_in_with_the_new_one(client, auth, world):
    auth.login(world.users.customer.email)
    response = _change(client, factories.PASSWORD, NEW_PASSWORD)
    assert (response.status_code, response.headers["Location"]) == (302, "/account/password")
    auth.logout()
    assert auth.login(world.users.customer.email, NEW_PASSWORD).status_code == 302
    assert auth.login(world.users.customer.email, factories.PASSWORD).status_code == 401


def _hash_of(user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash


def test_password_change_is_refused_when_too_short_letters_only_wrong_or_mismatched(client, auth, world, app):
    auth.login(world.users.customer.email)
    before = _hash_of(world.users.customer)
    cases = [
        ((factories.PASSWORD, "Short-1"), f"Use at least {app.config['MIN_PASSWORD_LENGTH']} characters."),
        ((factories.PASSWORD, "onlyletterslong"), "Mix letters with digits or symbols."),
        ((factories.PASSWORD, "12345678901234"), "Mix letters with digits or symbols."),
        (("not-my-password-1", NEW_PASSWORD), "Your current password is not correct."),
        ((factories.PASSWORD, NEW_PASSWORD, "Another-secret-8"), "The two new passwords differ."),
        ((factories.PASSWORD, factories.PASSWORD), "Choose a password different from the current one."),
    ]
    for arguments, message in cases:
        response = _change(client, *arguments)
        assert response.status_code == 400, message
        assert message in response.get_data(as_text=True)
    assert _hash_of(world.users.customer) == before


def test_password_page_is_reachable_from_the_user_menu(client, auth, world):
    auth.login(world.users.customer.email)
    assert 'href="/account/password">Change password</a>' in client.get("/").get_data(as_text=True)
