"""The django-health-check plugin (django-health-check must be installed: the test environments add it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import RequestFactory
from django.utils import timezone
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView

from django_cinetpay.health.contrib import CinetPayHealthCheck
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction

pytestmark = pytest.mark.django_db


def dispute(buyer: Any, seller: Any) -> None:
    tx = CinetPayTransaction.objects.create(
        buyer=buyer, seller=seller, amount=1_000, currency="XOF", description="x"
    )
    CinetPayTransaction.objects.filter(pk=tx.pk).update(status="accepted")
    EscrowTransaction.objects.create(
        payment=tx,
        amount=1_000,
        currency="XOF",
        commission_rate="0.05",
        commission=50,
        seller_amount=950,
        status="disputed",
        disputed_at=timezone.now() - dt.timedelta(hours=2),
    )


def test_the_plugin_passes_warns_and_fails(buyer: Any, seller: Any, settings: Any) -> None:
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"
    CinetPayHealthCheck(check="escrows", network=False).run()  # nothing open: no exception
    dispute(buyer, seller)
    with pytest.raises(ServiceWarning, match="1 open dispute"):
        CinetPayHealthCheck(check="escrows", network=False).run()
    settings.CINETPAY_API_KEY = ""
    with pytest.raises(ServiceUnavailable, match="Configuration: 1 system check error"):
        CinetPayHealthCheck(check="configuration").run()
    with pytest.raises(ValueError, match="Unknown django-cinetpay check 'disk'"):
        CinetPayHealthCheck(check="disk")


@pytest.mark.django_db(transaction=True)
def test_the_plugin_on_django_health_checks_view(settings: Any) -> None:
    """Through the package's own view, as a project wires it (its checks run in a worker thread)."""
    settings.CINETPAY_API_KEY = ""
    view = HealthCheckView.as_view(
        checks=[("django_cinetpay.health.contrib.CinetPayHealthCheck", {"check": "configuration"})]
    )
    request = RequestFactory().get("/health/", {"format": "json"})
    response = async_to_sync(view)(request)
    assert response.status_code == 500
    (message,) = json.loads(response.content).values()
    assert message.startswith("Unavailable: Configuration: ")
    assert "cinetpay.E001" not in message  # the summary only: ids and hints are on the staff page
