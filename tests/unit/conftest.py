"""Fixtures of the unit tests that need a database session but no app's schema."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session


@pytest.fixture
def session():
    """A plain session on an in-memory SQLite database holding one table, ``t (id)``."""
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        session.commit()
        yield session
    engine.dispose()
