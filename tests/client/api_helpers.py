"""Builders shared by the CinetPay API client tests: two countries' accounts with recognisable secrets,
a clock tests move, and the answers CinetPay's SDK documents."""

from __future__ import annotations

import json

from django_cinetpay.client.api import ApiCheckoutClient, ApiTransferClient, Connection, CountryCredentials
from django_cinetpay.client.memory import MemoryCache

BASE = "https://api.cinetpay.test"
LOGIN = f"{BASE}/v1/oauth/login"
CI = CountryCredentials("CI", "sk_test_CI-KEY-SECRET-4d1e", "CI-PASSWORD-SECRET-77")
SN = CountryCredentials("SN", "sk_test_SN-KEY-SECRET-9b2c", "SN-PASSWORD-SECRET-31")
CM = CountryCredentials("CM", "sk_test_CM-KEY-SECRET-0a5f", "CM-PASSWORD-SECRET-62")
SECRETS = (CI.api_key, CI.api_password, SN.api_key, SN.api_password, "JWT-SECRET")


class Clock:
    """Wall-clock seconds a test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def connection(*accounts: CountryCredentials, cache=None, clock=None) -> Connection:
    return Connection(
        credentials=accounts or (CI,),
        base_url=BASE,
        timeout=5.0,
        cache=cache if cache is not None else MemoryCache(),
        clock=clock or Clock(),
    )


def checkout(*accounts: CountryCredentials, **kwargs) -> ApiCheckoutClient:
    return ApiCheckoutClient(connection(*accounts, **kwargs), check_attempts=3, check_backoff=0)


def transfers(*accounts: CountryCredentials, **kwargs) -> ApiTransferClient:
    return ApiTransferClient(connection(*accounts, **kwargs), check_attempts=3, check_backoff=0)


def login_ok(rsps, token: str = "JWT-SECRET", expires_in: int = 86_400):
    return rsps.post(
        LOGIN,
        json={
            "code": 200,
            "status": "OK",
            "access_token": token,
            "token_type": "bearer",
            "expires_in": expires_in,
        },
    )


def body(call) -> dict:
    return json.loads(call.request.body)


def calls_to(rsps, url: str) -> list:
    """The calls made to ``url`` (whichever of its registered answers served them)."""
    return [c for c in rsps.calls if c.request.url.split("?")[0] == url]
