"""Fixtures for the example marketplace's own tests (run with ``--ds gameshop.settings``, see tox.ini).

CinetPay is the package's in-process fake (the ``cinetpay`` fixture): the site's real views and the
package's real client run, and no HTTP leaves the test process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django
import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.testing import CinetPayFake
from marketplace import demo
from marketplace.models import Listing, Purchase


@pytest.fixture(autouse=True)
def _demo_data(db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, for tests only
    demo.load()


@pytest.fixture(autouse=True)
def _tasks_at_commit(settings: Any) -> None:
    """The site queues background work for ``manage.py db_worker``; here it runs at commit instead, so a
    test sees a payout sent without a worker. ``test_worker.py`` overrides this to use the real queue."""
    module = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
    settings.TASKS = {"default": {"BACKEND": f"{module}.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Assertions read English text; French is tested on purpose where it matters."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def buyer(django_user_model: Any) -> Any:
    return django_user_model.objects.get(username="awa")


@pytest.fixture
def seller(django_user_model: Any) -> Any:
    return django_user_model.objects.get(username="koffi")


@pytest.fixture
def listing() -> Listing:
    return Listing.objects.get(title="Compte Free Fire niveau 72, 48 skins")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def buyer_client(buyer: Any) -> Client:
    return client_for(buyer)


@pytest.fixture
def seller_client(seller: Any) -> Client:
    return client_for(seller)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """``with on_commit():`` runs what the package defers to commit (signals, the payout task) at the end.

    The tests run inside a transaction that never commits, so deferred work must be run explicitly.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


Buy = Callable[..., Purchase]


@pytest.fixture
def buy(cinetpay: CinetPayFake, on_commit: Callable[[], Any]) -> Buy:
    """``buy(client, listing)``: click "Pay with CinetPay", fill the payment form, reach CinetPay.

    With ``pay=True`` the customer then pays with Orange Money and CinetPay notifies the site.
    """

    def run(client: Client, listing: Listing, *, pay: bool = False) -> Purchase:
        response = client.post(reverse("marketplace:buy", args=[listing.pk]))
        assert response.status_code == 302, response
        purchase = Purchase.objects.filter(listing=listing).latest("pk")
        form = {
            "customer_surname": "Awa",
            "customer_name": "Koné",
            "customer_email": "awa@example.com",
            "customer_phone_number": "0707070707",
            "channel": "MOBILE_MONEY",
        }
        with on_commit():
            started = client.post(reverse("cinetpay:pay", args=[purchase.payment.transaction_id]), form)
        assert started.status_code == 302, started.content
        if pay:
            with on_commit():
                cinetpay.pay(purchase.payment)
        purchase.refresh_from_db()
        purchase.payment = CinetPayTransaction.objects.get(pk=purchase.payment_id)
        return purchase

    return run
