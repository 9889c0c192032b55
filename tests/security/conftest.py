"""Fixtures of the security suite: fresh apps (so tests of the tests can add dummy routes), with
CSRF on or off, on the same test database as the ``app`` fixture that builds the world."""
from __future__ import annotations

import pytest



@pytest.fixture
def csrf_app(fresh_app):
    return fresh_app(csrf=True)


@pytest.fixture
def plain_app(fresh_app):
    return fresh_app()
