"""Fixtures of the security suite: fresh apps (so tests of the tests can add dummy routes), with
CSRF on or off, on the same test database as the ``app`` fixture that builds the world."""
from __future__ import annotations

import pytest

from app.extensions import db


@pytest.fixture
def fresh_app(app, make_app):
    """``fresh_app(csrf=False)``: a new app on the test database, disposed of after the test."""
    built = []

    def build(csrf: bool = False, **overrides):
        application = make_app(csrf=csrf, **overrides)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def csrf_app(fresh_app):
    return fresh_app(csrf=True)


@pytest.fixture
def plain_app(fresh_app):
    return fresh_app()
