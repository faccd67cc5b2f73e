"""Known data for the report tests: payments, escrows and payouts with chosen dates, and the figures a
report must give for them (worked out by hand in the comments).

Rows are written directly (as the services leave them): the tests are about sums, not state changes.
Dates are in March 2026, in the test site's time zone (Africa/Abidjan, UTC all year).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

#: The moment the report is computed ("now" figures: money held, dispute ages).
NOW = timezone.make_aware(dt.datetime(2026, 3, 10, 12, 0))


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def payment(
    buyer: Any, seller: Any, amount: int, status: str, created: dt.datetime, **fields: Any
) -> CinetPayTransaction:
    started = fields.pop("started", True)
    currency = fields.pop("currency", "XOF")
    tx = CinetPayTransaction.objects.create(
        buyer=buyer, seller=seller, amount=amount, currency=currency, description="Compte Free Fire", **fields
    )
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        status=status, created_at=created, checkout_started_at=created if started else None
    )
    tx.refresh_from_db()
    return tx


def escrow(tx: CinetPayTransaction, status: str, commission: int, **fields: Any) -> EscrowTransaction:
    return EscrowTransaction.objects.create(
        payment=tx,
        amount=tx.amount,
        currency=tx.currency,
        commission_rate=Decimal("0.0500"),
        commission=commission,
        seller_amount=tx.amount - commission,
        status=status,
        **fields,
    )


def payout(
    held: EscrowTransaction, kind: str, status: str, created: dt.datetime, **fields: Any
) -> PayoutRequest:
    amount = held.seller_amount if kind == PayoutKind.SELLER_PAYOUT else held.amount
    row = PayoutRequest.objects.create(
        escrow=held, kind=kind, amount=amount, currency=held.currency, status=status, **fields
    )
    PayoutRequest.objects.filter(pk=row.pk).update(created_at=created)
    return row


@pytest.fixture
def known_data(db: Any, buyer: Any, seller: Any) -> None:
    """Ten payments; the figures for 1-10 March 2026 (XOF) are, by hand:

    * created 8 payments, 70 000: accepted 4 (57 000), refused 1 (5 000), cancelled 1 (4 000),
      pending 1 (3 000), created 1 (1 000, checkout never started); started 7, of which 4 accepted;
    * by day: 2 March 2 created (30 000) both accepted, 3 March 2 (9 000), 4 March 2 (4 000), 6 March 1
      (15 000) accepted, 8 March 1 (12 000) accepted; the 23:30 payment of 2 March stays on 2 March;
    * methods: Orange Money 2 (25 000), MTN 1 (20 000), Wave 1 (12 000);
    * now: held 1 (10 000) and disputed 1 (12 000, opened two days ago);
    * resolved in the period: released 1 (20 000, commission 1 000), refunded 1 (15 000, a duplicate);
    * payouts created in the period: a seller payout completed (19 000), a refund failed (15 000);
      waiting now: that failed refund, and an unknown payout from February (95 000).

    XAF: one accepted payment of 50 000 (Orange Money), its escrow confirmed. February's payment and its
    escrow are outside the period.
    """
    p1 = payment(buyer, seller, 10_000, PaymentStatus.ACCEPTED, at(2), payment_method="OM")
    escrow(p1, EscrowStatus.HELD, 500)
    p2 = payment(buyer, seller, 20_000, PaymentStatus.ACCEPTED, at(2, 23, 30), payment_method="MOMO")
    e2 = escrow(p2, EscrowStatus.RELEASED, 1_000, resolved_at=at(5))
    payout(e2, PayoutKind.SELLER_PAYOUT, PayoutStatus.COMPLETED, at(5))
    payment(
        buyer,
        seller,
        5_000,
        PaymentStatus.REFUSED,
        at(3),
        cinetpay_code="602",
        cinetpay_message="INSUFFICIENT_BALANCE",
    )
    payment(buyer, seller, 4_000, PaymentStatus.CANCELLED, at(3, 15))
    payment(buyer, seller, 3_000, PaymentStatus.PENDING, at(4))
    payment(buyer, seller, 1_000, PaymentStatus.CREATED, at(4, 11), started=False)
    p7 = payment(buyer, seller, 15_000, PaymentStatus.ACCEPTED, at(6), payment_method="OM", duplicate_of=p1)
    e7 = escrow(p7, EscrowStatus.REFUNDED, 750, resolved_at=at(7))
    payout(e7, PayoutKind.REFUND, PayoutStatus.FAILED, at(7))
    p8 = payment(buyer, seller, 12_000, PaymentStatus.ACCEPTED, at(8), payment_method="WAVE")
    escrow(p8, EscrowStatus.DISPUTED, 600, disputed_at=NOW - dt.timedelta(days=2))
    p9 = payment(buyer, seller, 50_000, PaymentStatus.ACCEPTED, at(9), payment_method="OM", currency="XAF")
    escrow(p9, EscrowStatus.CONFIRMED, 2_500, release_due_at=NOW + dt.timedelta(hours=5))
    p10 = payment(buyer, seller, 100_000, PaymentStatus.ACCEPTED, at(20, month=2), payment_method="OM")
    e10 = escrow(p10, EscrowStatus.RELEASED, 5_000, resolved_at=at(25, month=2))
    payout(e10, PayoutKind.SELLER_PAYOUT, PayoutStatus.UNKNOWN, at(25, month=2))


@pytest.fixture
def reporter(django_user_model: Any) -> Any:
    """A staff member with the permission to see reports, and nothing else."""
    user = django_user_model.objects.create_user("analyste", "analyste@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return django_user_model.objects.get(pk=user.pk)
