"""The Transfer API client's memory in a shared cache: one login per token lifetime for every process,
each contact added once, and a cache that fails or forgets costing one request at most per process.

Two clients built on the same cache stand for two worker processes of one site.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache

from django_cinetpay import conf, exceptions
from django_cinetpay.client import TransferClient, clear_clients, get_transfer_client
from django_cinetpay.client.factories import DjangoCache
from django_cinetpay.client.memory import MemoryCache
from django_cinetpay.client.transfer import TOKEN_LIFETIME
from django_cinetpay.exceptions import CinetPayConfigurationError

from .conftest import API_KEY, TRANSFER_PASSWORD, TRANSFER_URL
from .test_transfer import (
    BALANCE_URL,
    CONTACT_URL,
    LOGIN_URL,
    PHONE,
    SEND_URL,
    SENT,
    TOKEN_1,
    TOKEN_2,
    FakeClock,
    _calls,
    _fail,
    _login_ok,
    _ok,
    _query,
)

BALANCE = _ok({"amount": 1, "inUsing": 0, "available": 1})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def process(clock):  # type: ignore[no-untyped-def]
    """Builds a client as a worker process would: on Django's default cache, in this test's key space."""
    namespace = uuid.uuid4().hex

    def build(api_key: str = API_KEY, cache: Any = None) -> TransferClient:
        return TransferClient(
            api_key=api_key,
            password=TRANSFER_PASSWORD,
            base_url=TRANSFER_URL,
            clock=clock,
            cache=cache or DjangoCache("default"),
            cache_namespace=namespace,
        )

    return build


def _send(client: TransferClient) -> None:
    client.send_money("225", PHONE, 5000, "PAYOUT-1", "")


# --- the login token ---------------------------------------------------------------------------------


def test_two_processes_share_one_login(rsps, process):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.get(BALANCE_URL, json=BALANCE)
    first, second = process(), process()
    first.get_balance()
    second.get_balance()
    assert len(_calls(rsps, LOGIN_URL)) == 1
    assert [_query(call)["token"] for call in _calls(rsps, BALANCE_URL)] == [TOKEN_1, TOKEN_1]


def test_a_cached_token_past_its_lifetime_is_not_used(rsps, process, clock):
    """The cache may keep an entry longer than the token lives: the expiry stored with it decides."""
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    first = process()
    assert first.login() == TOKEN_1
    clock.now += TOKEN_LIFETIME
    assert process().login() == TOKEN_2
    assert first.login() == TOKEN_2  # and the fresh one is shared in turn
    assert len(_calls(rsps, LOGIN_URL)) == 2


@pytest.mark.parametrize(
    "refusal",
    [
        {"json": _fail("705", "EXPIRED_TOKEN")},
        {"json": _fail("706", "INVALID_TOKEN")},
        {"body": "Unauthorized", "status": 401, "content_type": "text/html"},
    ],
    ids=["705", "706", "bare 401"],
)
def test_a_refused_token_is_dropped_from_the_cache_and_renewed_by_one_login(rsps, process, refusal):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    rsps.post(SEND_URL, **refusal)
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    rsps.get(BALANCE_URL, **refusal)
    rsps.get(BALANCE_URL, json=BALANCE)
    first, second = process(), process()
    assert first.login() == TOKEN_1
    _send(second)  # refused: dropped from the cache, one login, the send replayed
    first.get_balance()  # its own copy is refused too: it finds the renewed token in the cache
    assert len(_calls(rsps, LOGIN_URL)) == 2
    assert [_query(call)["token"] for call in _calls(rsps, SEND_URL)] == [TOKEN_1, TOKEN_2]
    assert [_query(call)["token"] for call in _calls(rsps, BALANCE_URL)] == [TOKEN_1, TOKEN_2]
    first.forget_token(TOKEN_1)  # a late refusal of the old token does not drop the new one
    assert process().login() == TOKEN_2


def test_clear_clients_starts_every_client_from_an_empty_memory(rsps):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    assert get_transfer_client().login() == TOKEN_1
    clear_clients()  # a test's fake CinetPay never sees a token another test's fake issued
    assert get_transfer_client().login() == TOKEN_2


def test_the_memory_lives_in_the_cache_cinetpay_cache_names(rsps, settings):
    """Shared clients of other timeouts stand for other processes: each finds the token only there."""
    settings.CACHES = {
        **settings.CACHES,
        "cinetpay": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cinetpay-tests",
        },
    }
    settings.CINETPAY_CACHE = "cinetpay"
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))
    assert get_transfer_client(timeout=1.0).login() == TOKEN_1
    caches["default"].clear()
    assert get_transfer_client(timeout=2.0).login() == TOKEN_1
    caches["cinetpay"].clear()
    assert get_transfer_client(timeout=3.0).login() == TOKEN_2


# --- contacts ------------------------------------------------------------------------------------------


def _contact_ok() -> dict[str, Any]:
    return _ok([[{"status": "success", "code": 0, "prefix": "225", "phone": PHONE}]])


def test_a_contact_is_added_once_per_account(rsps, process):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_contact_ok())
    first = process().add_contact("+225", PHONE, "Yao", "Koffi", "k@example.com")
    second = process().add_contact("225", PHONE, "Yao", "Koffi", "k@example.com")
    assert (first.remembered, second.remembered, second.already_contact) == (False, True, True)
    assert len(_calls(rsps, CONTACT_URL)) == 1
    process(api_key="another-account-key").add_contact("225", PHONE, "Yao", "Koffi", "k@example.com")
    assert len(_calls(rsps, CONTACT_URL)) == 2  # another account has contacts of its own


def test_an_existing_contact_726_is_remembered_too(rsps, process):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_ok([[{"status": "error", "code": 726, "prefix": "225", "phone": PHONE}]]))
    assert process().add_contact("225", PHONE, "", "", "").already_contact
    assert process().add_contact("225", PHONE, "", "", "").remembered
    assert len(_calls(rsps, CONTACT_URL)) == 1


def test_a_refused_contact_is_not_remembered(rsps, process):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_fail("716", "DATA_NOT_VALID"))
    rsps.post(CONTACT_URL, json=_contact_ok())
    client = process()
    with pytest.raises(exceptions.CinetPayAPIError):
        client.add_contact("225", PHONE, "", "", "")
    assert not client.add_contact("225", PHONE, "", "", "").remembered


def test_a_724_drops_the_contact_from_the_cache(rsps, process):
    """CinetPay lost the contact (removed in the back-office): a 724 makes the next add ask it again, in
    every process that had not learnt it yet, and in each other process at its own 724."""
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_contact_ok())
    rsps.post(SEND_URL, json=_fail("724", "ERROR_PHONE_NOT_MY_CONTACT"))
    first, second = process(), process()
    first.add_contact("225", PHONE, "", "", "")
    assert second.add_contact("225", PHONE, "", "", "").remembered
    with pytest.raises(exceptions.CinetPayTransferError):
        _send(second)
    assert not process().add_contact("225", PHONE, "", "", "").remembered
    with pytest.raises(exceptions.CinetPayTransferError):
        _send(first)
    assert not first.add_contact("225", PHONE, "", "", "").remembered
    assert len(_calls(rsps, CONTACT_URL)) == 3


# --- what the cache holds, and a cache that fails ------------------------------------------------------


class RecordingCache(MemoryCache):
    """Remembers every key and value written."""

    def __init__(self) -> None:
        super().__init__()
        self.written: dict[str, Any] = {}

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self.written[key] = value
        super().set(key, value, timeout)


def test_the_cache_holds_a_token_and_contact_marks_named_by_digests(rsps, process):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_contact_ok())
    cache = RecordingCache()
    process(cache=cache).add_contact("225", PHONE, "Yao", "Koffi", "k@example.com")
    written = {key.split(":")[4]: value for key, value in cache.written.items()}
    assert sorted(written) == ["contact", "token"]
    assert written["contact"] is True
    assert written["token"]["token"] == TOKEN_1
    keys = " ".join(cache.written)
    assert API_KEY not in keys
    assert PHONE not in keys
    assert TRANSFER_PASSWORD not in repr(cache.written)


class BrokenCache:
    """A cache server that is down."""

    def get(self, key: str, default: Any = None) -> Any:
        raise ConnectionError("cache at 10.0.0.9:6379 refused")

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        raise ConnectionError("cache at 10.0.0.9:6379 refused")

    def delete(self, key: str) -> Any:
        raise ConnectionError("cache at 10.0.0.9:6379 refused")


def test_a_failing_cache_leaves_each_client_remembering_for_itself(rsps, process, caplog):
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.post(CONTACT_URL, json=_contact_ok())
    rsps.post(SEND_URL, json=_ok([[SENT]]))
    client = process(cache=BrokenCache())
    with caplog.at_level(logging.WARNING, logger="django_cinetpay.client"):
        client.add_contact("225", PHONE, "", "", "")
        assert client.add_contact("225", PHONE, "", "", "").remembered
        _send(client)
    assert len(_calls(rsps, LOGIN_URL)) == 1
    assert len(_calls(rsps, CONTACT_URL)) == 1
    assert "ConnectionError" in caplog.text
    assert "10.0.0.9" not in caplog.text  # the cache server's address stays out of the logs


def test_a_client_built_without_a_cache_remembers_for_itself(rsps, clock):
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_1))
    rsps.post(LOGIN_URL, json=_login_ok(TOKEN_2))

    def alone() -> TransferClient:
        return TransferClient(api_key=API_KEY, password=TRANSFER_PASSWORD, base_url=TRANSFER_URL, clock=clock)

    client = alone()
    assert client.login() == client.login() == TOKEN_1
    assert alone().login() == TOKEN_2
    assert len(_calls(rsps, LOGIN_URL)) == 2


def test_a_cache_that_keeps_nothing_costs_no_more_logins_than_before(rsps, process):
    """Django's DummyCache (a common development setting): each client remembers for itself."""
    rsps.post(LOGIN_URL, json=_login_ok())
    rsps.get(BALANCE_URL, json=BALANCE)
    client = process(cache=DummyCache("dummy", {}))
    client.get_balance()
    client.get_balance()
    assert len(_calls(rsps, LOGIN_URL)) == 1


def test_the_memory_cache_expires_and_stays_bounded():
    now = [0.0]
    cache = MemoryCache(clock=lambda: now[0])
    cache.set("a", 1, timeout=10)
    now[0] = 9.9
    assert cache.get("a") == 1
    now[0] = 10
    assert cache.get("a", "gone") == "gone"
    for n in range(MemoryCache.max_entries + 1):
        cache.set(str(n), n)
    assert cache.get("0") is None  # the oldest went first
    assert cache.get(str(MemoryCache.max_entries)) == MemoryCache.max_entries


def test_cinetpay_cache_must_name_a_cache_of_caches():
    with pytest.raises(CinetPayConfigurationError, match="CINETPAY_CACHE 'redis'"):
        conf.CinetPayConf().configure_cache("redis")
    assert conf.CinetPayConf().configure_cache("default") == "default"
