"""The engine on its own: both stores keep the same contract, faults parse and order, time is injected."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from urllib.parse import urlencode

import pytest

from django_cinetpay.simulator.engine import (
    AlreadyExistsError,
    ApiRequest,
    Contact,
    Credentials,
    Fault,
    FaultRule,
    MemoryStore,
    Options,
    Payment,
    Simulator,
    Transfer,
    parse_fault,
    rule_from_setting,
)
from django_cinetpay.simulator.engine.faults import delivery_order
from django_cinetpay.simulator.storage import DjangoStore

CREDENTIALS = Credentials(api_key="k", site_id="1", secret_key="s", transfer_password="p")
T0 = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def payment(transaction_id: str = "T1", token: str = "tok1") -> Payment:
    return Payment(
        token=token,
        transaction_id=transaction_id,
        site_id="1",
        amount=100,
        currency="XOF",
        description="d",
        notify_url="https://shop.example.com/n",
        return_url="https://shop.example.com/r",
        created_at="x",
    )


def transfer(client_id: str = "C1", transaction_id: str = "TR1") -> Transfer:
    return Transfer(
        transaction_id=transaction_id,
        client_transaction_id=client_id,
        lot="1",
        amount=500,
        prefix="225",
        phone="0707070707",
        notify_url="",
        created_at=T0.isoformat(),
    )


@pytest.fixture(params=[MemoryStore, DjangoStore])
def store(request, db):
    return request.param()


# --- the store contract, for both stores ------------------------------------------------------------------


def test_payments_round_trip_and_stay_unique(store):
    store.add_payment(payment())
    with pytest.raises(AlreadyExistsError):
        store.add_payment(payment(token="tok2"))
    with pytest.raises(AlreadyExistsError):
        store.add_payment(payment(transaction_id="T2"))

    found = store.find_payment(transaction_id="T1")
    assert found == payment()
    assert store.find_payment(token="tok1") == found
    assert store.find_payment(token="nope") is None


def test_a_record_changes_only_when_saved(store):
    store.add_payment(payment())
    found = store.find_payment(transaction_id="T1")
    found.state = "accepted"
    found.notifications.append({"fields": [["a", "b"]]})
    assert store.find_payment(transaction_id="T1").state == "created"

    store.save_payment(found)
    again = store.find_payment(transaction_id="T1")
    assert again.state == "accepted"
    assert again.notifications == [{"fields": [["a", "b"]]}]


def test_lists_are_newest_first(store):
    store.add_payment(payment("T1", "a"))
    store.add_payment(payment("T2", "b"))
    store.add_transfer(transfer("C1", "TR1"))
    store.add_transfer(transfer("C2", "TR2"))
    assert [p.transaction_id for p in store.list_payments()] == ["T2", "T1"]
    assert [t.client_transaction_id for t in store.list_transfers()] == ["C2", "C1"]


def test_transfers_are_unique_by_client_transaction_id(store):
    store.add_transfer(transfer())
    with pytest.raises(AlreadyExistsError):
        store.add_transfer(transfer(transaction_id="TR2"))
    assert store.find_transfer(transaction_id="TR1") == transfer()
    changed = dataclasses.replace(transfer(), treatment_status="VAL")
    store.save_transfer(changed)
    assert store.find_transfer(client_transaction_id="C1").treatment_status == "VAL"


def test_contacts_and_sessions(store):
    assert store.find_contact("225", "0707070707") is None
    store.add_contact(Contact("225", "0707070707", "K", "A", "a@example.com"))
    assert store.find_contact("225", "0707070707") == Contact("225", "0707070707", "K", "A", "a@example.com")
    store.add_session("tok", T0)
    assert store.session_issued_at("tok") == T0
    assert store.session_issued_at("other") is None


def test_fault_rules(store):
    first = store.add_fault(FaultRule(Fault.TIMEOUT, target="payment", times=2))
    second = store.add_fault(FaultRule(Fault.LOST, target="notification"))
    assert first.id is not None
    assert [r.fault for r in store.list_faults()] == [Fault.TIMEOUT, Fault.LOST]
    first.times = 1
    store.save_fault(first)
    store.delete_fault(second.id)
    assert store.list_faults() == [first]


# --- faults ----------------------------------------------------------------------------------------------


def test_parse_fault():
    assert parse_fault("timeout") == FaultRule(Fault.TIMEOUT, times=1)
    assert parse_fault(" Latency=0.3 ", target="payment") == FaultRule(
        Fault.LATENCY, target="payment", times=1, seconds=0.3
    )
    with pytest.raises(ValueError, match="unknown simulator fault"):
        parse_fault("gremlins")


def test_rules_from_settings():
    assert rule_from_setting("5xx") == FaultRule(Fault.SERVER_ERROR)
    assert rule_from_setting({"fault": "latency", "seconds": "0.5", "target": "payment/check"}) == FaultRule(
        Fault.LATENCY, target="payment/check", seconds=0.5
    )
    with pytest.raises(ValueError, match="at least once"):
        FaultRule(Fault.HTML, times=0)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (None, ["c"]),
        (Fault.LOST, []),
        (Fault.DUPLICATE, ["c", "c"]),
        (Fault.OUT_OF_ORDER, ["c", "b"]),
    ],
)
def test_delivery_order(fault, expected):
    assert delivery_order(["a", "b", "c"], 1, fault) == expected


def test_out_of_order_with_nothing_earlier_sends_the_one():
    assert delivery_order(["a"], 1, Fault.OUT_OF_ORDER) == ["a"]


# --- time is injected --------------------------------------------------------------------------------------


def simulator(clock: Clock, **options) -> Simulator:
    return Simulator(
        MemoryStore(),
        CREDENTIALS,
        payment_url=lambda t: t,
        deliver=lambda o: None,
        clock=clock,
        options=Options(**options),
    )


def transfer_request(method: str, endpoint: str, token: str = "", form: dict | None = None) -> ApiRequest:
    return ApiRequest(
        method,
        endpoint,
        query={"token": token} if token else {},
        body=urlencode(form or {}).encode(),
        content_type="application/x-www-form-urlencoded",
    )


def test_transfer_token_expires_after_five_minutes():
    clock = Clock()
    sim = simulator(clock)
    login = sim.handle_transfer(transfer_request("POST", "auth/login", form={"apikey": "k", "password": "p"}))
    token = login.payload["data"]["token"]

    clock.advance(299.9)
    assert sim.handle_transfer(transfer_request("GET", "transfer/check/balance", token)).payload["code"] == 0
    clock.advance(0.1)
    answer = sim.handle_transfer(transfer_request("GET", "transfer/check/balance", token)).payload
    assert answer["code"] == "705"


def test_transfer_validates_once_the_delay_has_passed():
    clock = Clock()
    sim = simulator(clock, transfer_delay=60)
    token = sim.handle_transfer(
        transfer_request("POST", "auth/login", form={"apikey": "k", "password": "p"})
    ).payload["data"]["token"]
    contact = {"prefix": "225", "phone": "0707070707", "name": "K", "surname": "A", "email": "a@b.ci"}
    sim.handle_transfer(transfer_request("POST", "transfer/contact", token, {"data": json.dumps([contact])}))
    item = {"prefix": "225", "phone": "0707070707", "amount": 500, "client_transaction_id": "C1"}
    sim.handle_transfer(
        transfer_request("POST", "transfer/money/send/contact", token, {"data": json.dumps([item])})
    )

    def status() -> str:
        request = ApiRequest(
            "GET", "transfer/check/money", query={"token": token, "client_transaction_id": "C1"}
        )
        return sim.handle_transfer(request).payload["data"][0]["treatment_status"]

    clock.advance(59)
    assert status() == "NEW"
    clock.advance(1)
    assert status() == "VAL"
