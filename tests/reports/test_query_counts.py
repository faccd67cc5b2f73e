"""The report costs the same number of queries at 10 rows and at 1,000: every figure is a grouped
aggregate, never a loop over rows. So does the dashboard page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.reports import build_report, parse_period
from django_cinetpay.reports.queries import QUERIES
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

pytestmark = pytest.mark.django_db

STATUSES = list(PaymentStatus)
OPEN = [
    EscrowStatus.HELD,
    EscrowStatus.CONFIRMED,
    EscrowStatus.DISPUTED,
    EscrowStatus.RELEASED,
    EscrowStatus.REFUNDED,
]


def rows(buyer: Any, seller: Any, count: int) -> None:
    """``count`` payments of every status over the last 30 days, in two currencies, with escrows for the
    accepted ones (of every status) and a payout for each resolved escrow."""
    now = timezone.now()
    payments = CinetPayTransaction.objects.bulk_create(
        CinetPayTransaction(
            transaction_id=f"Q{count:05d}N{i:06d}",
            buyer=buyer,
            seller=seller,
            amount=1_000 + 5 * i,
            currency="XOF" if i % 3 else "XAF",
            description="Compte Free Fire",
            status=STATUSES[i % len(STATUSES)],
            payment_method=["OM", "MOMO", "WAVE"][i % 3],
            cinetpay_code=["600", "602", ""][i % 3],
            checkout_started_at=now,
        )
        for i in range(count)
    )
    for i, tx in enumerate(payments):
        tx.created_at = now - dt.timedelta(days=i % 29, hours=i % 12)
    CinetPayTransaction.objects.bulk_update(payments, ["created_at"])
    accepted = [tx for tx in payments if tx.status == PaymentStatus.ACCEPTED]
    escrows = EscrowTransaction.objects.bulk_create(
        EscrowTransaction(
            payment=tx,
            amount=tx.amount,
            currency=tx.currency,
            commission_rate=Decimal("0.05"),
            commission=50,
            seller_amount=tx.amount - 50,
            status=OPEN[i % len(OPEN)],
            disputed_at=now - dt.timedelta(days=i % 9),
            resolved_at=now - dt.timedelta(days=i % 20),
        )
        for i, tx in enumerate(accepted)
    )
    PayoutRequest.objects.bulk_create(
        PayoutRequest(
            escrow=e,
            kind=PayoutKind.SELLER_PAYOUT if e.status == EscrowStatus.RELEASED else PayoutKind.REFUND,
            amount=e.seller_amount if e.status == EscrowStatus.RELEASED else e.amount,
            currency=e.currency,
            status=list(PayoutStatus)[i % len(PayoutStatus)],
            client_transaction_id=f"TQ{count:05d}N{i:06d}",
        )
        for i, e in enumerate(escrows)
        if e.status in (EscrowStatus.RELEASED, EscrowStatus.REFUNDED)
    )


@pytest.mark.parametrize("count", [10, 1_000])
def test_the_report_makes_a_constant_number_of_queries(buyer: Any, seller: Any, count: int) -> None:
    rows(buyer, seller, count)
    period = parse_period()
    with CaptureQueriesContext(connection) as captured:
        report = build_report(period)
    assert len(captured) == QUERIES == 8
    assert sum(f.payments.created.count for f in report.currencies.values()) == count


def dashboard_queries(client: Any, user: Any) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:cinetpay_report_changelist"))
    assert response.status_code == 200
    return len(captured)


def test_the_dashboard_page_makes_as_many_queries_at_10_and_at_1000_rows(
    client: Any, admin_user: Any, buyer: Any, seller: Any
) -> None:
    rows(buyer, seller, 10)
    small = dashboard_queries(client, admin_user)
    rows(buyer, seller, 990)
    assert CinetPayTransaction.objects.count() == 1_000
    assert dashboard_queries(client, admin_user) == small
