"""Fixtures shared by the client tests: a ``responses`` mock and clients with recognisable secrets.

The secrets are long, distinctive strings so that a test asserting "never in an error message or a log"
cannot pass by accident.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

API_KEY = "apikey-SECRET-7f3a91c2e4"
SITE_ID = "445566"
TRANSFER_PASSWORD = "transfer-password-SECRET-b81d"
CHECKOUT_URL = "https://api-checkout.cinetpay.test/v2"
TRANSFER_URL = "https://client.cinetpay.test/v1"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A ``responses`` mock; unmatched requests fail. Tests assert call counts themselves."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
