"""Bulk seeding: rows written with ``bulk_create``, as a busy marketplace would have them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction
from django_cinetpay.states import EscrowStatus, PaymentStatus

TABLES = (
    "cinetpay_statechange",
    "cinetpay_payoutrequest",
    "cinetpay_escrowtransaction",
    "cinetpay_cinetpaynotification",
    "cinetpay_cinetpaytransaction",
)


def empty() -> None:
    """Forget every money row (the users stay)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def people() -> tuple[Any, Any]:
    user_model = get_user_model()
    buyer, _ = user_model.objects.get_or_create(username="bench-buyer")
    seller, _ = user_model.objects.get_or_create(username="bench-seller")
    return buyer, seller


def payments(
    count: int, *, tag: str = "P", status: str = PaymentStatus.PENDING, amount: int = 1000
) -> list[CinetPayTransaction]:
    """``count`` payments whose checkout started, in ``status``; ``tag`` keeps their ids apart."""
    buyer, seller = people()
    now = timezone.now()
    rows = [
        CinetPayTransaction(
            transaction_id=f"B{tag}{now:%H%M%S}{i:07d}",
            buyer=buyer,
            seller=seller,
            amount=amount,
            currency="XOF",
            description="Compte Free Fire",
            status=status,
            payment_token=f"tok{i}",
            checkout_started_at=now - dt.timedelta(minutes=1),
            paid_at=now if status == PaymentStatus.ACCEPTED else None,
        )
        for i in range(count)
    ]
    return CinetPayTransaction.objects.bulk_create(rows, batch_size=2000)


def due_escrows(count: int) -> None:
    """``count`` confirmed escrows whose security period is over, with their accepted payments."""
    accepted = payments(count, tag="E", status=PaymentStatus.ACCEPTED, amount=10_000)
    past = timezone.now() - dt.timedelta(hours=1)
    EscrowTransaction.objects.bulk_create(
        [
            EscrowTransaction(
                payment=payment,
                amount=10_000,
                currency="XOF",
                commission_rate="0.0500",
                commission=500,
                seller_amount=9_500,
                status=EscrowStatus.CONFIRMED,
                confirmed_at=past,
                release_due_at=past,
            )
            for payment in accepted
        ],
        batch_size=2000,
    )
