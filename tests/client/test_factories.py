"""The shared clients: one per configuration per process, safe to use from many threads at once."""

from __future__ import annotations

import os
import threading
import time
import warnings

import pytest

from django_cinetpay.client import clear_clients, factories, get_checkout_client, get_transfer_client, http

from .conftest import CHECKOUT_URL, TRANSFER_URL

LOGIN_URL = f"{TRANSFER_URL}/auth/login"
BALANCE_URL = f"{TRANSFER_URL}/transfer/check/balance"
CHECK_URL = f"{CHECKOUT_URL}/payment/check"
WAITING = {
    "code": "662",
    "message": "WAITING_CUSTOMER_PAYMENT",
    "data": {"amount": "100", "currency": "XOF", "status": "WAITING_FOR_CUSTOMER"},
}


@pytest.mark.parametrize("factory", [get_checkout_client, get_transfer_client])
def test_the_same_configuration_gives_the_same_client(factory):
    assert factory() is factory()
    assert factory(timeout=2.5) is factory(timeout=2.5)


@pytest.mark.parametrize("factory", [get_checkout_client, get_transfer_client])
def test_a_changed_setting_gives_a_new_client(factory, settings):
    before = factory()
    settings.CINETPAY_API_KEY = "rotated-key"
    after = factory()
    assert after is not before
    assert factory() is after


def test_the_webhooks_deadline_clients_are_their_own():
    # services/webhooks.py asks for these: they must not change the timeout of everyone else's client.
    checkout = get_checkout_client(timeout=5.0, check_attempts=1)
    transfer = get_transfer_client(timeout=2.5, check_attempts=1)
    assert checkout is not get_checkout_client()
    assert transfer is not get_transfer_client()
    assert (checkout.timeout, checkout.check_attempts) == (5.0, 1)
    assert get_checkout_client().timeout == 30.0


def test_clear_clients_forgets_them():
    before = get_transfer_client()
    clear_clients()
    assert get_transfer_client() is not before


def test_the_cache_is_bounded_and_drops_the_oldest_first():
    first = get_checkout_client(timeout=1.0)
    for n in range(factories.MAX_SHARED_CLIENTS):
        get_checkout_client(timeout=2.0 + n)
    assert len(factories._clients) == factories.MAX_SHARED_CLIENTS
    assert get_checkout_client(timeout=1.0) is not first


def test_one_session_serves_every_check(rsps, monkeypatch):
    made = []
    real_new_session = http.new_session

    def counting_new_session():
        made.append(real_new_session())
        return made[-1]

    monkeypatch.setattr(http, "new_session", counting_new_session)
    rsps.post(CHECK_URL, json=WAITING)

    assert get_checkout_client().check_payment("A").is_waiting
    assert get_checkout_client().check_payment("B").is_waiting

    assert len(made) == 1
    assert len(rsps.calls) == 2


def test_twenty_threads_log_in_once(rsps):
    def slow_login(request):  # wide open door for a race: every thread arrives during the login
        time.sleep(0.05)
        return 200, {}, '{"code": 0, "message": "OPERATION_SUCCES", "data": {"token": "shared-token"}}'

    rsps.add_callback("POST", LOGIN_URL, callback=slow_login, content_type="application/json")
    rsps.get(BALANCE_URL, json={"code": 0, "data": {"amount": "900", "inUsing": "0", "available": "900"}})
    start = threading.Barrier(20)
    balances: list[int] = []
    errors: list[BaseException] = []

    def payout_worker() -> None:
        start.wait()
        try:
            balances.append(get_transfer_client().get_balance().available)
        except BaseException as exc:  # reported below: a thread's exception would be lost otherwise
            errors.append(exc)

    threads = [threading.Thread(target=payout_worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    assert balances == [900] * 20
    logins = [call for call in rsps.calls if call.request.url.startswith(LOGIN_URL)]
    assert len(logins) == 1
    assert all("token=shared-token" in call.request.url for call in rsps.calls if call not in logins)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_builds_its_own_clients():
    # A child using its parent's client would write to its parent's open sockets.
    parent = get_checkout_client()
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads alive (Python >= 3.12)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            child = get_checkout_client()
            os.write(write, b"new" if child is not parent and child.session is not parent.session else b"old")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 3) == b"new"
    os.close(read)
