"""Escrows by the hundred, written with ``bulk_create`` as a busy marketplace would hold them.

Going through the services would take seconds per thousand rows and test nothing the batch tests need:
the rows are what the services leave (an accepted payment, its escrow split at 5 %), only written at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction
from django_cinetpay.states import EscrowStatus, PaymentStatus

AMOUNT, COMMISSION = 10_000, 500


def due_escrows(buyer: Any, seller: Any, count: int, *, tag: str = "D") -> list[EscrowTransaction]:
    """``count`` confirmed escrows whose security period ended a minute ago, with their payments.

    ``tag`` keeps the transaction ids of several calls in one test apart.
    """
    now = timezone.now()
    payments = CinetPayTransaction.objects.bulk_create(
        CinetPayTransaction(
            transaction_id=f"BULK{tag}{now:%H%M%S%f}{i:06d}",
            buyer=buyer,
            seller=seller,
            amount=AMOUNT,
            currency="XOF",
            description="Compte Free Fire",
            status=PaymentStatus.ACCEPTED,
            paid_at=now,
        )
        for i in range(count)
    )
    past = now - dt.timedelta(minutes=1)
    return EscrowTransaction.objects.bulk_create(
        EscrowTransaction(
            payment=payment,
            amount=AMOUNT,
            currency="XOF",
            commission_rate="0.0500",
            commission=COMMISSION,
            seller_amount=AMOUNT - COMMISSION,
            status=EscrowStatus.CONFIRMED,
            confirmed_at=past,
            release_due_at=past,
        )
        for payment in payments
    )
