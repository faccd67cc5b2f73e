"""Property: no input makes a package view answer 500 or change a state; a webhook POST is always stored.

On PostgreSQL, which refuses what SQLite takes (a NUL character in a query, a text column or JSON). The
input is arbitrary text with NUL characters, lone surrogates and huge values, sent as a web server
would pass it on (percent-encoded UTF-8, surrogates included), with repeated keys and any content type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
import responses
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from django_cinetpay import services
from django_cinetpay.client import CheckResult
from django_cinetpay.models import (
    CinetPayNotification,
    CinetPayTransaction,
    EscrowTransaction,
    PayoutRequest,
    StateChange,
)
from django_cinetpay.services.verdicts import apply_check_result

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAGES = ["pay", "success", "failed", "pending", "status", "confirm", "dispute"]
WEBHOOKS = ["cinetpay:notify", "cinetpay:transfer-notify"]
FIELD_NAMES = [
    "cpm_trans_id",
    "client_transaction_id",
    "cpm_site_id",
    "transaction_id",
    "token",
    "payment_token",
    "reason",
    "next",
    "channel",
]
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- what a client can send ---------------------------------------------------------------------------

short_text = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=30)
#: Text with a NUL or a lone surrogate in it (most often), any short text, or a huge one.
text = st.one_of(
    st.tuples(short_text, st.sampled_from(["\x00", "\ud800", "\udfff"]), short_text).map("".join),
    short_text,
    st.integers(1_000, 200_000).map(lambda n: "A" * n),
)
pairs = st.lists(st.tuples(st.one_of(st.sampled_from(FIELD_NAMES), short_text), text), max_size=6)


# Sent with ``Client.generic()``, which passes a body on as given (``post()`` re-encodes it to the
# content type's charset).


def encoded(value: str) -> bytes:
    """``value`` as a client puts it on the wire: UTF-8, lone surrogates included (invalid UTF-8)."""
    return value.encode("utf-8", "surrogatepass")


def quoted(value: str) -> str:
    return quote_from_bytes(encoded(value), safe="")


def urlencoded(fields: list[tuple[str, str]]) -> str:
    return "&".join(f"{quoted(k)}={quoted(v)}" for k, v in fields)


def multipart(fields: list[tuple[str, str]]) -> bytes:
    parts = [
        b'--B\r\nContent-Disposition: form-data; name="' + encoded(k) + b'"\r\n\r\n' + encoded(v) + b"\r\n"
        for k, v in fields
    ]
    return b"".join(parts) + b"--B--\r\n"


FORM = "application/x-www-form-urlencoded"
bodies = st.one_of(
    st.tuples(st.just(FORM), pairs.map(urlencoded).map(str.encode)),
    st.tuples(st.just("multipart/form-data; boundary=B"), pairs.map(multipart)),
    st.tuples(
        st.just("application/json"), pairs.map(lambda p: json.dumps(dict(p)).encode("utf-8", "surrogatepass"))
    ),
    st.tuples(
        st.sampled_from(["", "text/plain", "multipart/form-data", f"{FORM}; charset=latin-1", FORM]),
        st.binary(max_size=500),
    ),
)

# --- the world that must not change -----------------------------------------------------------------


@pytest.fixture
def world(buyer: Any, seller: Any) -> CinetPayTransaction:
    """An accepted payment whose escrow the seller refunded (a refund payout pending), and an open one."""
    paid = services.create_payment(buyer=buyer, seller=seller, amount=1000, description="Skin")
    accepted = CheckResult(code="00", message="SUCCES", status="ACCEPTED", amount=1000, currency="XOF")
    apply_check_result(
        paid,
        accepted,
        actor=services.Actor.check("test"),
        payer_phone="0707070707",
        payer_phone_prefix="225",
    )
    services.refund_escrow(EscrowTransaction.objects.get(payment=paid), seller, "Out of stock")
    services.create_payment(buyer=buyer, seller=seller, amount=500, description="Pass")
    assert PayoutRequest.objects.count() == 1
    return paid


def snapshot() -> tuple[object, ...]:
    return (
        sorted(CinetPayTransaction.objects.values_list("pk", "status")),
        sorted(EscrowTransaction.objects.values_list("pk", "status")),
        sorted(PayoutRequest.objects.values_list("pk", "status")),
        StateChange.objects.count(),
    )


@pytest.fixture
def clients(buyer: Any, other_user: Any) -> dict[str, Client]:
    logged_in = {"buyer": Client(), "other": Client()}
    logged_in["buyer"].force_login(buyer)
    logged_in["other"].force_login(other_user)
    return {"anonymous": Client(), **logged_in}


@pytest.fixture
def no_cinetpay() -> Iterator[responses.RequestsMock]:
    """CinetPay unreachable: any HTTP call is recorded and fails."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def unchanged(world: CinetPayTransaction, no_cinetpay: responses.RequestsMock) -> Callable[[Any], None]:
    """``unchanged(response)``: not a 500, no state changed since the fixture, CinetPay never called."""
    before = snapshot()

    def check(response: Any) -> None:
        assert response.status_code < 500, response.content[:300]
        assert snapshot() == before
        assert not no_cinetpay.calls

    return check


# --- properties ---------------------------------------------------------------------------------------


@PROPERTY
@given(url_name=st.sampled_from(WEBHOOKS), body=bodies, x_token=short_text, query=pairs)
def test_a_webhook_post_is_always_stored_and_changes_nothing(
    clients, unchanged, url_name, body, x_token, query
):
    content_type, data = body
    stored = CinetPayNotification.objects.count()
    url = f"{reverse(url_name)}?{urlencoded(query)}"
    unchanged(clients["anonymous"].generic("POST", url, data, content_type, headers={"x-token": x_token}))
    assert CinetPayNotification.objects.count() == stored + 1
    unchanged(clients["anonymous"].get(url))
    assert CinetPayNotification.objects.count() == stored + 1


@PROPERTY
@given(who=st.sampled_from(["anonymous", "buyer", "other"]), query=pairs, body=bodies)
def test_the_return_url_never_fails_nor_changes_anything(clients, unchanged, who, query, body):
    url = f"{reverse('cinetpay:return')}?{urlencoded(query)}"
    content_type, data = body
    unchanged(clients[who].get(url))
    unchanged(clients[who].generic("POST", url, data, content_type))


@PROPERTY
@given(
    page=st.sampled_from(PAGES),
    transaction_id=st.one_of(text, st.none()),  # None: the real payment's id
    who=st.sampled_from(["anonymous", "buyer", "other"]),
    query=pairs,
    body=bodies,
)
def test_a_payment_page_never_fails_nor_changes_anything(
    world, clients, unchanged, page, transaction_id, who, query, body
):
    assume(transaction_id is not None or who != "buyer")  # the buyer may confirm or dispute
    segment = world.transaction_id if transaction_id is None else quoted(transaction_id)
    url = f"/payments/{segment}/{page}/?{urlencoded(query)}"
    content_type, data = body
    unchanged(clients[who].get(url))
    unchanged(clients[who].generic("POST", url, data, content_type))
