"""Sign-in and sign-out, CSRF, throttling, safe redirects and session cookie flags."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.accounts.models import LoginAttempt
from app.accounts.services import purge_login_attempts
from app.core.clock import current_now
from app.extensions import db
from tests.factories import PASSWORD


def attempts() -> int:
    return db.session.scalar(select(func.count(LoginAttempt.id)))


def test_sign_in_then_out(client, auth, world):
    response = auth.login("ADMIN@reseller.test ")  # case and spaces do not matter
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "admin@reseller.test" in client.get("/").get_data(as_text=True)
    response = auth.logout()
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "admin@reseller.test" not in page and "Sign in" in page


def test_wrong_password_is_refused_and_recorded(client, auth, world):
    response = auth.login("admin@reseller.test", "wrong-password-1")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    assert attempts() == 1
    assert "admin@reseller.test" not in client.get("/").get_data(as_text=True)


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(auth, world):
    response = auth.login("nobody@example.test", "whatever-123")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(auth, world):
    world.users.reseller.is_enabled = False
    db.session.commit()
    assert auth.login("admin@reseller.test").status_code == 401


def test_sign_in_is_throttled_after_five_failures_even_with_the_right_password(client, auth, world):
    for _ in range(5):
        assert auth.login("admin@reseller.test", "wrong-password-1").status_code == 401
    response = auth.login("admin@reseller.test", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    assert attempts() == 5  # the refused attempt is not even checked
    assert "admin@reseller.test" not in client.get("/").get_data(as_text=True)


def test_throttling_counts_failures_from_one_client_across_accounts(auth, world):
    for number in range(5):
        auth.login(f"guess{number}@example.test", "wrong-password-1")
    assert auth.login("admin@customer-a.test", PASSWORD).status_code == 429


def test_old_failures_expire_and_are_purged(auth, world):
    for _ in range(5):
        auth.login("admin@reseller.test", "wrong-password-1")
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.attempted_at -= timedelta(minutes=16)
    db.session.commit()
    assert auth.login("admin@reseller.test", PASSWORD).status_code == 302
    assert purge_login_attempts(older_than=timedelta(minutes=10), now=current_now()) == 5
    assert attempts() == 0


def test_sign_in_returns_to_a_local_next_page_only(client, auth, world):
    for target, expected in [
        ("/products/sync-tool?audience=reseller", "/products/sync-tool?audience=reseller"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ]:
        response = client.post("/sign-in", data={"email": "admin@reseller.test", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == expected, target
        auth.logout()


def test_empty_form_is_a_400_with_messages(client, world):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_sign_in_requires_a_csrf_token(make_app, world):
    client = make_app(csrf=True).test_client()
    response = client.post("/sign-in", data={"email": "admin@reseller.test", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    # with the token from the form it works
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/sign-in", data={"email": "admin@reseller.test", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_sign_out_requires_post_and_csrf(make_app, world):
    client = make_app(csrf=True).test_client()
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, world):
    response = auth.login("admin@reseller.test")
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_config_sets_secure_cookies(tmp_path):
    from app.config import ProductionConfig

    config = ProductionConfig(tmp_path)
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
