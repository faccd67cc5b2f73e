"""The OAuth API's pieces in the engine: accounts, numbers, routes, tokens, and both stores' new lookups."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from django_cinetpay.simulator.conf import SimulatorConf
from django_cinetpay.simulator.engine import (
    EPOCH,
    Account,
    ApiRequest,
    Credentials,
    MemoryStore,
    Payment,
    Simulator,
    accounts_from,
)
from django_cinetpay.simulator.engine.oauth.api import route
from django_cinetpay.simulator.engine.oauth.auth import digest
from django_cinetpay.simulator.engine.oauth.vocabulary import split_number
from django_cinetpay.simulator.storage import DjangoStore

ACCOUNT = Account("CI", "sk_test_x", "secret")
CREDENTIALS = Credentials(
    api_key="k", site_id="1", secret_key="s", transfer_password="p", accounts=(ACCOUNT,)
)


def test_accounts_from_the_sdk_s_credentials_shape():
    assert accounts_from({"ci": {"api_key": "sk_test_a", "api_password": "b"}}) == (
        Account("CI", "sk_test_a", "b"),
    )
    assert accounts_from(None) == ()
    with pytest.raises(ValueError, match="the account of SN"):
        accounts_from({"SN": {"api_key": "sk_test_a"}})
    assert "secret" not in repr(ACCOUNT)


def test_a_malformed_accounts_setting_stops_the_project():
    with pytest.raises(ImproperlyConfigured, match="CINETPAY_SIMULATOR_ACCOUNTS"):
        SimulatorConf().configure_accounts({"CI": "sk_test_a"})


def test_credentials_open_only_their_account():
    assert CREDENTIALS.account("sk_test_x", "secret") == ACCOUNT
    assert CREDENTIALS.account("sk_test_x", "Secret") is None
    assert CREDENTIALS.account("", "") is None


@pytest.mark.parametrize(
    ("phone", "parts"),
    [
        ("+2250707000001", ("CI", "225", "0707000001")),
        ("+221770000001", ("SN", "221", "770000001")),
        ("+243810000000", ("CD", "243", "810000000")),
        ("2250707000001", None),
        ("+33612345678", None),
        ("+225", None),
    ],
)
def test_split_number(phone, parts):
    assert split_number(phone) == parts


@pytest.mark.parametrize(
    ("method", "endpoint", "expected"),
    [
        ("POST", "v1/oauth/login", ("v1/oauth/login", "")),
        ("GET", "v1/payment/CP123", ("v1/payment/{id}", "CP123")),
        ("GET", "v1/transfer/TR1", ("v1/transfer/{id}", "TR1")),
        ("GET", "v1/payment", ("v1/payment", None)),
        ("POST", "v1/payment/CP123", ("v1/payment/CP123", None)),
    ],
)
def test_routes_are_fault_targets(method, endpoint, expected):
    assert route(ApiRequest(method=method, endpoint=endpoint)) == expected


@pytest.fixture(params=[MemoryStore, DjangoStore])
def store(request, db):
    return request.param()


def test_stores_find_a_payment_by_cinetpay_s_reference(store):
    record = Payment(
        token="tok",
        transaction_id="ORDER-1",
        site_id="CI",
        amount=100,
        currency="XOF",
        description="d",
        notify_url="https://shop.example.com/n",
        return_url="https://shop.example.com/r",
        created_at="x",
        api="oauth",
        reference="CP1",
    )
    store.add_payment(record)

    assert store.find_payment(reference="CP1") == record
    assert store.find_payment(reference="CP2") is None


def test_stores_expire_every_session(store):
    now = dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc)
    store.add_session("a" * 64, now)

    store.expire_sessions()

    assert store.session_issued_at("a" * 64) == EPOCH


def test_tokens_expire_after_24_hours_and_only_digests_are_kept():
    clock = [dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc)]
    store = MemoryStore()
    sim = Simulator(store, CREDENTIALS, payment_url=str, deliver=print, clock=lambda: clock[0])
    login = ApiRequest(
        "POST",
        "v1/oauth/login",
        body=json.dumps({"api_key": "sk_test_x", "api_password": "secret"}).encode(),
        content_type="application/json",
    )
    token = sim.handle_oauth(login).payload["access_token"]
    balance = ApiRequest("GET", "v1/balances", headers={"Authorization": f"Bearer {token}"})

    assert store.session_issued_at(token) is None
    assert store.session_issued_at(digest(token)) == clock[0]
    assert sim.handle_oauth(balance).payload["code"] == 200
    clock[0] += dt.timedelta(hours=24)
    assert sim.handle_oauth(balance).payload["code"] == 1003
    removed = Simulator(
        store,
        dataclasses.replace(CREDENTIALS, accounts=()),
        payment_url=str,
        deliver=print,
        clock=lambda: clock[0],
    )
    clock[0] -= dt.timedelta(hours=1)
    assert removed.handle_oauth(balance).payload["code"] == 1002  # the account left the settings
