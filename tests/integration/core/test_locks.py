"""The one row-lock helper: rows read afresh, several locked in primary-key order, and held until
the transaction ends (another connection cannot take them meanwhile) on PostgreSQL and SQLite."""
import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError

from app.accounts.models import Organisation
from app.core.locks import for_update, locked, locked_all, locked_one
from app.extensions import db
from tests.factories import make_distributor, make_reseller


def test_the_locking_statement_is_for_update_in_primary_key_order():
    sql = str(for_update(select(Organisation).where(Organisation.kind == "reseller"))
              .compile(dialect=postgresql.dialect()))
    assert sql.rstrip().endswith("ORDER BY organisation.id FOR UPDATE")


def test_several_rows_are_locked_in_primary_key_order_and_read_afresh(app):
    distributor = make_distributor()
    resellers = [make_reseller(distributor, name=f"Reseller {n}") for n in range(3)]
    db.session.commit()
    db.session.execute(update(Organisation).where(Organisation.kind == "reseller").values(name="Renamed")
                       .execution_options(synchronize_session=False))

    rows = locked_all(select(Organisation).where(Organisation.kind == "reseller").order_by(Organisation.name.desc()))

    assert [row.id for row in rows] == sorted(reseller.id for reseller in resellers)
    assert {row.name for row in rows} == {"Renamed"}  # not the names the session held
    db.session.rollback()


def test_locked_finds_nothing_and_locked_one_insists(app):
    missing = select(Organisation).where(Organisation.id == -1)
    assert locked(missing) is None
    with pytest.raises(Exception, match="No row was found"):
        locked_one(missing)
    db.session.rollback()


def test_a_locked_row_stays_locked_until_the_transaction_ends(app, database_url):
    organisation_id = make_distributor().id
    db.session.commit()
    postgres = database_url.startswith("postgresql")
    other = create_engine(database_url, connect_args={} if postgres else {"timeout": 0})

    def other_connection_takes_it() -> bool:
        try:
            with other.connect() as connection:
                if postgres:
                    connection.execute(text("SELECT id FROM organisation WHERE id = :id FOR UPDATE NOWAIT"),
                                       {"id": organisation_id})
                else:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                connection.rollback()
            return True
        except OperationalError:
            return False

    try:
        locked_one(select(Organisation).where(Organisation.id == organisation_id))
        assert other_connection_takes_it() is False
        db.session.rollback()
        assert other_connection_takes_it() is True
    finally:
        db.session.rollback()
        other.dispose()
