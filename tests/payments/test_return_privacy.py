"""``cinetpay:return`` tells only the buyer whether a payment exists and how it went.

Anyone else (logged out, or logged in as someone else) gets one neutral page with a login link, the same
for a known and an unknown id, and triggers nothing: no check call to CinetPay, no database write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db

UNKNOWN = "CP20990101000000ABCDEF"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def no_cinetpay() -> Iterator[responses.RequestsMock]:
    """No CinetPay answer is registered: any call is recorded, and fails."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def paid(buyer: Any, seller: Any) -> CinetPayTransaction:
    from django_cinetpay import services

    tx = services.create_payment(buyer=buyer, seller=seller, amount=1000, currency="XOF", description="Pass")
    CinetPayTransaction.objects.filter(pk=tx.pk).update(status=PaymentStatus.ACCEPTED)
    return tx


def visit(client: Client, method: str, transaction_id: str) -> tuple[int, str, str]:
    """(status, Location, body) of a return visit, with the id in them replaced by ``ID``."""
    params = {"transaction_id": transaction_id, "token": f"tok-{transaction_id}"}
    path = reverse("cinetpay:return")
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, params)
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    return tuple(  # type: ignore[return-value]
        str(part).replace(transaction_id, "ID")
        for part in (response.status_code, response.get("Location", ""), response.content.decode())
    )


@pytest.mark.parametrize("who", ["anonymous", "other_user", "seller"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_visitor_who_is_not_the_buyer_learns_nothing_and_triggers_nothing(
    request, no_cinetpay, payment, paid, who, method
):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    open_payment = visit(client, method, payment.transaction_id)
    paid_payment = visit(client, method, paid.transaction_id)
    unknown = visit(client, method, UNKNOWN)
    assert open_payment == paid_payment == unknown
    assert not no_cinetpay.calls
    assert CinetPayTransaction.objects.get(pk=payment.pk).last_checked_at is None


def test_the_neutral_page_links_to_the_login_and_back(no_cinetpay, payment):
    response = Client().get(reverse("cinetpay:return"), {"transaction_id": payment.transaction_id})
    assert response.status_code == 200
    login = urlsplit(response.context["login_url"])
    back = reverse("cinetpay:return") + "?" + urlencode({"transaction_id": payment.transaction_id})
    assert (login.path, parse_qs(login.query)) == ("/accounts/login/", {"next": [back]})
    assert f'href="{escape(response.context["login_url"])}"' in response.content.decode()


def test_a_post_without_a_session_comes_back_as_a_get_so_the_session_cookie_can_follow(no_cinetpay, payment):
    """Browsers leave a SameSite=Lax cookie off CinetPay's cross-site POST, but send it on the GET."""
    response = Client().post(
        reverse("cinetpay:return"), {"cpm_trans_id": payment.transaction_id, "payment_token": "tok-1"}
    )
    assert response.status_code == 303
    query = urlencode({"transaction_id": payment.transaction_id, "token": "tok-1"})
    assert response["Location"] == f"{reverse('cinetpay:return')}?{query}"


def test_after_logging_in_the_buyer_gets_the_real_answer(no_cinetpay, paid, buyer):
    client = Client()
    login_url = client.get(reverse("cinetpay:return"), {"transaction_id": paid.transaction_id}).context[
        "login_url"
    ]
    back = client.post(login_url, {"username": buyer.username, "password": "pw"})
    assert back.status_code == 302
    answer = client.get(back["Location"])
    assert answer["Location"] == reverse("cinetpay:success", args=[paid.transaction_id])
    assert not no_cinetpay.calls  # an accepted payment is not checked again
