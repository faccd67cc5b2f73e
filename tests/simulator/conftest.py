"""Fixtures for the simulator app's tests: its APIs called in process, and notifications caught.

The app is mounted at ``/cinetpay-simulator/`` (tests/urls.py) and checks the credentials of
tests/settings.py, like CinetPay checks a merchant's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import responses
from django.http import HttpResponse
from django.test import Client

API_KEY = "test-api-key"
SITE_ID = "123456"
SECRET = "test-secret-key"
TRANSFER_PASSWORD = "test-transfer-password"
PREFIX = "/cinetpay-simulator"
NOTIFY_URL = "https://shop.example.com/payments/notify/"
RETURN_URL = "https://shop.example.com/payments/return/"
TRANSFER_NOTIFY_URL = "https://shop.example.com/payments/transfer/notify/"


def init_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``POST payment`` body; an override of ``None`` removes the field."""
    body: dict[str, Any] = {
        "apikey": API_KEY,
        "site_id": SITE_ID,
        "transaction_id": "CP20260101000000ABC123",
        "amount": 1000,
        "currency": "XOF",
        "description": "Compte Free Fire niveau 70",
        "notify_url": NOTIFY_URL,
        "return_url": RETURN_URL,
        "channels": "ALL",
        "lang": "fr",
        "metadata": "order-42",
        "customer_phone_number": "0707070707",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class SimulatorApi:
    """Calls the simulator's HTTP APIs with Django's test client, as CinetPay's clients would."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def post_checkout(
        self,
        endpoint: str,
        body: Any = None,
        *,
        raw: str | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(
            f"{PREFIX}/v2/{endpoint}",
            data=data,
            content_type=content_type,
            headers={"User-Agent": "django-cinetpay-tests", **(headers or {})},
        )

    def init(self, **overrides: Any) -> HttpResponse:
        return self.post_checkout("payment", init_body(**overrides))

    def created(self, **overrides: Any) -> dict[str, Any]:
        """Initialise a payment that must be accepted; its ``data``."""
        response = self.init(**overrides)
        assert response.status_code == 200, response.content
        return response.json()["data"]

    def check(self, **body: Any) -> HttpResponse:
        return self.post_checkout("payment/check", {"apikey": API_KEY, "site_id": SITE_ID, **body})

    def transfer(
        self,
        method: str,
        endpoint: str,
        *,
        form: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        path = f"{PREFIX}/v1/{endpoint}"
        if query:
            path += "?" + urlencode(query)
        if method == "GET":
            return self.client.get(path, headers=headers)
        return self.client.post(path, data=form or {}, headers=headers)

    def login(self) -> str:
        response = self.transfer(
            "POST", "auth/login", form={"apikey": API_KEY, "password": TRANSFER_PASSWORD}
        )
        assert response.json()["code"] == 0, response.content
        return response.json()["data"]["token"]


@pytest.fixture
def sim_api(db, client: Client) -> SimulatorApi:
    return SimulatorApi(client)


@dataclass
class Caught:
    """A notification the simulator POSTed to a merchant URL."""

    url: str
    content_type: str
    x_token: str
    body: str

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body, keep_blank_values=True)

    @property
    def fields(self) -> dict[str, str]:
        return dict(self.pairs)


class Merchant:
    """Stands in for the merchant's webhooks: records what the simulator posts, answers ``status``."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.caught: list[Caught] = []
        self.status = 200
        for url in (NOTIFY_URL, TRANSFER_NOTIFY_URL):
            mock.add_callback(responses.POST, url, callback=self._record)

    def _record(self, request: Any) -> tuple[int, dict[str, str], str]:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
        self.caught.append(
            Caught(
                request.url, request.headers.get("Content-Type", ""), request.headers.get("x-token", ""), body
            )
        )
        return self.status, {}, "OK"


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Merchant(mock)


# --- the OAuth API ------------------------------------------------------------------------------------

#: The project's OAuth country accounts, as the simulator is told them (CINETPAY_SIMULATOR_ACCOUNTS).
OAUTH_ACCOUNTS = {
    "CI": {"api_key": "sk_test_simulator_ci", "api_password": "ci-password"},
    "SN": {"api_key": "sk_test_simulator_sn", "api_password": "sn-password"},
}
SUCCESS_URL = "https://shop.example.com/payments/api/success/"
FAILED_URL = "https://shop.example.com/payments/api/failed/"


def oauth_payment_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``POST /v1/payment`` body for the CI account; an override of ``None`` removes the field."""
    body: dict[str, Any] = {
        "currency": "XOF",
        "merchant_transaction_id": "ORDER-OAUTH-1",
        "amount": 5000,
        "lang": "fr",
        "designation": "Compte Free Fire niveau 70",
        "client_email": "awa@example.com",
        "client_first_name": "Awa",
        "client_last_name": "Koné",
        "success_url": SUCCESS_URL,
        "failed_url": FAILED_URL,
        "notify_url": NOTIFY_URL,
        "channel": "PUSH",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def oauth_transfer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "currency": "XOF",
        "merchant_transaction_id": "PAYOUT-OAUTH-1",
        "phone_number": "+2250707000001",
        "amount": 5000,
        "payment_method": "OM_CI",
        "reason": "Vente du compte",
        "notify_url": TRANSFER_NOTIFY_URL,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class OAuthApi:
    """Calls the simulator's OAuth API (``<prefix>/api/v1/...``) with Django's test client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(
        self,
        method: str,
        endpoint: str,
        body: Any = None,
        *,
        token: str = "",
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        all_headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        path = f"{PREFIX}/api/v1/{endpoint}"
        if method == "GET":
            return self.client.get(path, headers=all_headers)
        return self.client.post(
            path, data=json.dumps(body), content_type="application/json", headers=all_headers
        )

    def login(self, country: str = "CI") -> str:
        response = self.call("POST", "oauth/login", OAUTH_ACCOUNTS[country])
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    def pay_init(self, token: str, **overrides: Any) -> HttpResponse:
        return self.call("POST", "payment", oauth_payment_body(**overrides), token=token)

    def send(self, token: str, **overrides: Any) -> HttpResponse:
        return self.call("POST", "transfer", oauth_transfer_body(**overrides), token=token)


@pytest.fixture
def oauth_api(db, client: Client, settings) -> OAuthApi:
    settings.CINETPAY_SIMULATOR_ACCOUNTS = OAUTH_ACCOUNTS
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = None
    return OAuthApi(client)
