"""The ``cinetpay`` pytest fixture: a started :class:`~django_cinetpay.testing.CinetPayFake` per test.

Registered as the ``cinetpay`` plugin (entry point ``pytest11``) when the package is installed. A test
that lets the fake deliver notifications needs the database (``db`` fixture or ``django_db`` mark).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import CinetPayFake


@pytest.fixture
def cinetpay() -> Iterator[CinetPayFake]:
    """CinetPay's APIs faked for this test; the clients' HTTP goes to it, anything else fails."""
    with CinetPayFake() as fake:
        yield fake
