"""Fixtures for the health tests: CinetPay on a ``responses`` mock, an empty cache per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses
from django.core.cache import caches

CHECK = "https://api-checkout.cinetpay.test/v2/payment/check"
TRANSFER = "https://client.cinetpay.test/v1"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    caches["default"].clear()
    yield
    caches["default"].clear()


class CinetPay:
    """CinetPay's answers to a ping and a balance request (CINETPAY_API.md's shapes)."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock

    def ping(self, code: str = "627", message: str = "TRANSACTION_NOT_FOUND") -> None:
        self.mock.upsert(responses.POST, CHECK, json={"code": code, "message": message})

    def balance(self, available: int) -> None:
        self.mock.upsert(
            responses.POST,
            f"{TRANSFER}/auth/login",
            json={"code": 0, "message": "OPERATION_SUCCES", "data": {"token": "t"}},
        )
        self.mock.upsert(
            responses.GET,
            f"{TRANSFER}/transfer/check/balance",
            json={
                "code": 0,
                "message": "OPERATION_SUCCES",
                "data": {"amount": str(available), "inUsing": "0", "available": str(available)},
            },
        )

    def calls(self) -> int:
        return len(self.mock.calls)


@pytest.fixture
def cinetpay() -> Iterator[Any]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield CinetPay(mock)
