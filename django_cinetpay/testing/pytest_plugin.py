"""The ``cinetpay`` pytest fixture: a started :class:`~django_cinetpay.testing.CinetPayFake` per test.

Registered as the ``cinetpay`` plugin (entry point ``pytest11``) when the package is installed, so it is
loaded by every pytest run in such an environment: it imports nothing but pytest until the fixture is
used. A test that lets the fake deliver notifications needs the database (``db`` or ``django_db``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .fake import CinetPayFake


@pytest.fixture
def cinetpay() -> Iterator[CinetPayFake]:
    """CinetPay's APIs faked for this test; the clients' HTTP goes to it, anything else fails."""
    from .fake import CinetPayFake  # raises a clear ImportError when 'responses' is missing

    with CinetPayFake() as fake:
        yield fake
