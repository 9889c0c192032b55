"""Migration 0011: users who exist when it runs (demo data, invited users who chose their
password through the link) count as verified; sign-in failures recorded before it keep counting
as sign-in failures. Run on a SQLite file of its own, whatever the suite's database."""
from datetime import datetime

from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text

from app.config import PROJECT_ROOT
from app.extensions import db

CREATED = datetime(2026, 1, 5, 8, 0)


def test_users_existing_before_the_migration_count_as_verified(make_app, tmp_path):
    application = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'before-0011.sqlite3'}",
                           SQLALCHEMY_ENGINE_OPTIONS={})
    previous = ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_revision("0011").down_revision
    with application.app_context():
        try:
            # given a database one migration before, with a user and a failed sign-in
            upgrade(revision=previous)
            db.session.execute(text("INSERT INTO organisation (id, name, kind, reselling_enabled, storefront_enabled, created_at) "
                                    "VALUES (1, 'Customer', 'customer', 0, 0, :created)"), {"created": CREATED})
            db.session.execute(text('INSERT INTO "user" (id, email, name, password_hash, role, organisation_id, is_enabled, created_at) '
                                    "VALUES (1, 'old@customer.example', 'Old', 'x', 'admin', 1, 1, :created)"), {"created": CREATED})
            db.session.execute(text("INSERT INTO login_attempt (email, client_address, attempted_at) "
                                    "VALUES ('old@customer.example', '10.0.0.1', :created)"), {"created": CREATED})
            db.session.commit()
            # when the migration runs
            upgrade(revision="0011")
            # then the user counts as verified since it was created, and the failure is a sign-in's
            verified = db.session.execute(text('SELECT email_verified_at FROM "user"')).scalar_one()
            action = db.session.execute(text("SELECT action FROM login_attempt")).scalar_one()
            assert (str(verified)[:19], action) == ("2026-01-05 08:00:00", "sign_in")
        finally:
            db.session.remove()
            db.engine.dispose()
