"""Test-suite policy shared by every test folder.

Tests marked ``postgres`` prove concurrency claims on PostgreSQL with real threads. They run when
``CINETPAY_TEST_POSTGRES=1`` (then a missing PostgreSQL is a failure, never a skip) and are skipped,
with a reason, on the default SQLite run.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("CINETPAY_TEST_POSTGRES") == "1":
        return
    skip = pytest.mark.skip(reason="PostgreSQL leg only: set CINETPAY_TEST_POSTGRES=1")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _postgres_really_used(request: pytest.FixtureRequest) -> None:
    """A ``postgres`` test must not pass quietly on another database."""
    if request.node.get_closest_marker("postgres"):
        assert connection.vendor == "postgresql", "postgres-marked test ran on " + connection.vendor


@pytest.fixture
def buyer(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        "awa", "awa@example.com", "pw", first_name="Awa", last_name="Koné"
    )


@pytest.fixture
def seller(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("koffi", "koffi@example.com", "pw")


@pytest.fixture
def other_user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("intrus", "intrus@example.com", "pw")


@pytest.fixture
def staff_user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("agent", "agent@example.com", "pw", is_staff=True)
