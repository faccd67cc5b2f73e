"""End to end over HTTP: the real clients and views, the simulator served by pytest-django's live server.

The project's settings point at the simulator (``CINETPAY_CHECKOUT_API_URL`` …) and its notify URL at
the live server (``CINETPAY_BASE_URL``): init, checkout page, signed notification, check and return all
travel over real HTTP, as they would against CinetPay.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from django_cinetpay import exceptions, services
from django_cinetpay.client import PaymentRequest, get_checkout_client, get_transfer_client, http
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db(transaction=True)

PAY_FORM = {
    "customer_surname": "Awa",
    "customer_name": "Koné",
    "customer_email": "awa@example.com",
    "customer_phone_number": "0707070707",
    "channel": "ALL",
}


@pytest.fixture
def live(live_server, settings):
    settings.CINETPAY_CHECKOUT_API_URL = f"{live_server.url}/cinetpay-simulator/v2"
    settings.CINETPAY_TRANSFER_API_URL = f"{live_server.url}/cinetpay-simulator/v1"
    settings.CINETPAY_BASE_URL = live_server.url
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = None
    return live_server


@pytest.fixture
def clients():
    """Builds the package's HTTP clients and closes their sessions after the test.

    An open keep-alive connection holds a live-server thread, which would outlive the test.
    """
    made = []

    def build(factory, **overrides):
        client = factory(**overrides)
        made.append(client)
        return client

    yield build
    for client in made:
        client.session.close()


@pytest.fixture
def buyer_client(buyer) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


def start(buyer_client: Client, buyer, seller) -> tuple[CinetPayTransaction, str]:
    """The buyer submits the package's payment form; returns the payment and CinetPay's checkout URL."""
    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=1500, currency="XOF", description="Compte"
    )
    response = buyer_client.post(reverse("cinetpay:pay", args=[tx.transaction_id]), PAY_FORM)
    assert response.status_code == 302, response.content.decode()[-800:]
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.PENDING
    return tx, response["Location"]


def customer_chooses(payment_url: str, outcome: str) -> dict[str, str]:
    """A browser on the checkout page: open it, choose, submit. Returns the auto-submitted return form."""
    with requests.Session() as browser:
        return _choose(browser, payment_url, outcome)


def _choose(browser: requests.Session, payment_url: str, outcome: str) -> dict[str, str]:
    page = browser.get(payment_url, timeout=10)
    assert page.status_code == 200
    assert "1,500" in page.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {"csrfmiddlewaretoken": csrf, "method": "OM", "phone": "0707070707", "phone_prefix": "225"}
    answer = browser.post(payment_url, data={**data, "outcome": outcome}, timeout=10)
    assert answer.status_code == 200
    form = re.search(r'<form id="sim-return" method="post" action="([^"]+)">', answer.text)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', answer.text))
    return {"action": form.group(1), **hidden}


def back_to_the_shop(buyer_client: Client, form: dict[str, str]):
    """The browser posts the return form to the shop (the buyer is logged in there)."""
    path = urlsplit(form["action"]).path
    return buyer_client.post(
        path, {"transaction_id": form["transaction_id"], "token": form["token"]}, follow=True
    )


def test_accepted_payment(live, buyer, seller, buyer_client, received):
    tx, payment_url = start(buyer_client, buyer, seller)
    assert payment_url.startswith(f"{live.url}/cinetpay-simulator/payment/")

    form = customer_chooses(payment_url, "pay")

    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED  # the notification did it, before the customer came back
    assert tx.payment_method == "OM"
    assert tx.payer_phone == "0707070707"
    notification = CinetPayNotification.objects.get()
    assert notification.valid is True
    assert notification.result == "200 applied"
    assert form["action"] == f"{live.url}{reverse('cinetpay:return')}"
    assert form["transaction_id"] == tx.transaction_id
    assert form["token"] == tx.payment_token

    page = back_to_the_shop(buyer_client, form)

    assert page.redirect_chain[-1][0] == reverse("cinetpay:success", args=[tx.transaction_id])
    assert len(received["payment_accepted"]) == 1
    assert received["payment_accepted"][0]["transaction"].pk == tx.pk
    assert received["payment_refused"] == []


def test_refused_payment(live, buyer, seller, buyer_client, received):
    tx, payment_url = start(buyer_client, buyer, seller)

    form = customer_chooses(payment_url, "refuse")
    page = back_to_the_shop(buyer_client, form)

    tx.refresh_from_db()
    assert tx.status == PaymentStatus.REFUSED
    assert page.redirect_chain[-1][0] == reverse("cinetpay:failed", args=[tx.transaction_id])
    (refused,) = received["payment_refused"]
    assert refused["status"] == PaymentStatus.REFUSED
    assert refused["code"] == "600"
    assert received["payment_accepted"] == []


def test_notify_endpoint_answers_the_liveness_ping(live):
    assert requests.get(f"{live.url}{reverse('cinetpay:notify')}", timeout=10).status_code == 200


def test_timeout_leaves_the_outcome_unknown_until_checked(live, settings, clients):
    settings.CINETPAY_TIMEOUT = 0.1
    held = http.new_session()
    held.headers["X-CinetPay-Simulator-Fault"] = "timeout=0.4"  # hold the answer 0.4 s
    client = clients(get_checkout_client, session=held)  # its own client: the shared one stays healthy
    request = PaymentRequest(
        transaction_id="LIVE-TIMEOUT-1",
        amount=500,
        currency="XOF",
        description="Compte",
        notify_url=f"{live.url}/payments/notify/",
        return_url=f"{live.url}/payments/return/",
    )

    with pytest.raises(exceptions.CinetPayTimeoutError):
        client.init_payment(request)

    # CinetPay acted although the answer was lost: a check finds the payment.
    assert clients(get_checkout_client).check_payment("LIVE-TIMEOUT-1").is_waiting
    time.sleep(0.4)  # let the held request finish, so no server thread outlives the test


def test_transfer_api_through_the_real_client(live, clients):
    client = clients(get_transfer_client)

    assert client.get_balance().available == 1_000_000
    assert client.add_contact("+225", "0707070707", "Koné", "Awa", "awa@example.com").already_contact is False
    assert client.add_contact("225", "0707070707", "Koné", "Awa", "awa@example.com").already_contact is True
    sent = client.send_money(
        "225", "0707070707", 950, "LIVE-PAYOUT-1", f"{live.url}/payments/transfer/notify/"
    )
    assert sent.is_in_progress
    with pytest.raises(exceptions.CinetPayTransferError) as again:
        client.send_money("225", "0707070707", 950, "LIVE-PAYOUT-1", "")
    assert again.value.code == "805"
    assert client.check_transfer("LIVE-PAYOUT-1").transaction_id == sent.transaction_id
    assert client.check_transfer(transaction_id=sent.transaction_id).client_transaction_id == "LIVE-PAYOUT-1"
    assert client.check_transfer("NEVER-SENT") is None
    with pytest.raises(exceptions.CinetPayTransferError) as not_contact:
        client.send_money("225", "0101010101", 950, "LIVE-PAYOUT-2", "")
    assert not_contact.value.code == "724"


def test_wrong_keys_are_refused_like_cinetpay(live, clients):
    with pytest.raises(exceptions.CinetPayAuthError) as error:
        clients(get_checkout_client, api_key="typo").check_payment("X")
    assert error.value.code == "609"
    with pytest.raises(exceptions.CinetPayAuthError) as site:
        clients(get_checkout_client, site_id="999").check_payment("X")
    assert site.value.code == "613"
    with pytest.raises(exceptions.CinetPayAuthError) as login:
        clients(get_transfer_client, password="wrong").get_balance()
    assert login.value.code == "701"
