"""What a visitor sees when the database or Redis fails, and what is left in the database."""
from flask import request
from sqlalchemy import func, select

from app.accounts.models import LoginAttempt, Organisation, User
from app.extensions import db
from tests.faults.database_cut import database_cut

UNAVAILABLE = "We could not reach our database. Nothing was changed; please try again shortly."


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


def test_connection_dropped_while_recording_a_failed_sign_in_gives_503_and_no_row(app, client, world):
    # Given a visitor with a wrong password, and the connection dropped as the failure is written
    with database_cut(db.engine, r"INSERT INTO \"?login_attempt") as cut:
        response = client.post("/sign-in", data={"email": world.users.customer.email, "password": "wrong-password-1"})
    # Then the 503 page, and no failed-attempt row
    assert len(cut) == 1
    assert response.status_code == 503
    assert UNAVAILABLE in response.get_data(as_text=True)
    assert _count(LoginAttempt) == 0
    # And the next request gets a fresh connection and works
    assert client.post("/sign-in", data={"email": world.users.customer.email, "password": "wrong-password-1"}).status_code == 401
    assert _count(LoginAttempt) == 1


def test_connection_dropped_between_two_writes_of_one_transaction_leaves_neither(fresh_app, world):
    # Given a route that writes an organisation and its first user in one transaction, as placing
    # an order writes the order and then its lines
    application = fresh_app()

    def open_account():
        organisation = Organisation(name=request.form["name"], kind="customer", parent_id=world.reseller.id)
        db.session.add(organisation)
        db.session.flush()
        user = User(email="first@new.example", name="First", organisation_id=organisation.id, password_hash="x")
        db.session.add(user)
        db.session.commit()
        return "opened", 201

    application.add_url_rule("/dummy/accounts", "dummy_accounts", open_account, methods=["POST"])
    organisations, users = _count(Organisation), _count(User)
    # When the connection drops after the organisation row, before the user row
    with application.app_context():
        engine = db.engine
    with database_cut(engine, r"INSERT INTO \"?user\b") as cut:
        response = application.test_client().post("/dummy/accounts", data={"name": "Half Written Ltd"})
    # Then 503, and neither row exists
    assert len(cut) == 1
    assert response.status_code == 503
    assert (_count(Organisation), _count(User)) == (organisations, users)


def test_unreachable_database_gives_503_pages_and_health_check(fresh_app, database_url, run_dir):
    if database_url.startswith("sqlite"):
        unreachable = f"sqlite:///{run_dir / 'no-such-folder' / 'db.sqlite3'}"
    else:
        unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"
    client = fresh_app(SQLALCHEMY_DATABASE_URI=unreachable, SQLALCHEMY_ENGINE_OPTIONS={}).test_client()
    page = client.get("/catalog/")
    health = client.get("/healthz")
    assert page.status_code == 503 and UNAVAILABLE in page.get_data(as_text=True)
    assert health.status_code == 503
    assert health.get_json()["database"] == "down"


def test_redis_down_makes_the_health_check_answer_503(fresh_app, world):
    client = fresh_app(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "up", "redis": "down"}
