"""Fixtures for the admin tests: the escrow suite's world (a held escrow, CinetPay's Transfer API on a mock)
and the checkout API's fake, plus staff members holding exactly the permissions a test names."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from django_cinetpay import services
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from tests.escrow import conftest as escrow_suite
from tests.payments import conftest as payments_suite

# The escrow suite's settings and world, and the checkout API's fake, shared rather than copied.
_escrow_settings = escrow_suite._escrow_settings
escrow = escrow_suite.escrow
staff = escrow_suite.staff
transfer_api = escrow_suite.transfer_api
api = payments_suite.api
payment = payments_suite.payment
pending_payment = payments_suite.pending_payment

#: The permission to see each record.
VIEW = [
    "view_cinetpaytransaction",
    "view_escrowtransaction",
    "view_payoutrequest",
    "view_cinetpaynotification",
]


@pytest.fixture
def staff_with(django_user_model: Any) -> Any:
    """``staff_with("name", "resolve_escrowtransaction", …)``: a staff member who may see every record and
    holds exactly the named extra permissions (read fresh, so no permission cache is stale)."""

    def make(username: str, *codenames: str) -> Any:
        user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__in=[*VIEW, *codenames]))
        return django_user_model.objects.get(pk=user.pk)

    return make


@pytest.fixture
def viewer(staff_with: Any) -> Any:
    """Staff who may look at every record but not act."""
    return staff_with("lecteur")


@pytest.fixture
def disputed(escrow: EscrowTransaction, buyer: Any) -> EscrowTransaction:
    return services.open_dispute(escrow, buyer, "Le compte ne marche pas")


@pytest.fixture
def refund(escrow: EscrowTransaction, staff: Any) -> PayoutRequest:
    """A pending refund of the 10 000 XOF escrow to the number that paid (+225 0707070707)."""
    services.refund_escrow(escrow, staff, "annulé")
    return PayoutRequest.objects.get(escrow=escrow)
