"""One order, one payment: the rule that keeps a buyer from paying twice for one thing.

A host passes ``order=`` to :func:`~django_cinetpay.services.create_payment`. Several attempts may exist
for one order (a refused attempt, then a new one), but CinetPay lets a customer pay again on an old
checkout page, so two of them may be accepted. Only the first accepted payment reaches the seller; a later
one is a *duplicate*: accepted (CinetPay has the money), marked ``duplicate_of`` the first, never sent
``payment_accepted``, and its money goes back to its payer (or waits for staff, by
``CINETPAY_DUPLICATE_PAYMENT_ACTION``).

Race-free on PostgreSQL: applying a check answer locks *every* payment of the order, in primary-key order,
so two acceptances of one order are serialised and the second sees the first. A unique constraint on
accepted, non-duplicate payments per order backs it in the database.

A host whose orders may really be paid several times (a donation page, a listing with stock sold to
several buyers through one object) says so in its adapter: ``one_payment_per_order(order)`` returning
``False``. Such payments are never treated as duplicates.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

from .. import exceptions
from ..adapter import get_adapter
from ..models import CinetPayTransaction
from ..states import PaymentStatus


def order_fields(order: models.Model | None) -> dict[str, Any]:
    """The payment fields that name ``order`` and say whether it takes one payment only."""
    if order is None:
        return {}
    return {
        "order_content_type": ContentType.objects.get_for_model(order),
        "order_object_id": str(order.pk),
        "order_exclusive": bool(get_adapter().one_payment_per_order(order)),
    }


def _same_order(tx: CinetPayTransaction) -> models.QuerySet[CinetPayTransaction]:
    return CinetPayTransaction.objects.filter(
        order_content_type_id=tx.order_content_type_id, order_object_id=tx.order_object_id
    )


def has_exclusive_order(tx: CinetPayTransaction) -> bool:
    """Whether ``tx`` pays an order that takes one accepted payment only."""
    return bool(tx.order_exclusive and tx.order_content_type_id and tx.order_object_id)


def lock_with_order(tx: CinetPayTransaction) -> tuple[CinetPayTransaction, list[CinetPayTransaction]]:
    """Lock ``tx`` for an update, with every other payment of its order (one query).

    Rows are locked in primary-key order, the same order for every caller, so two acceptances of one
    order wait for each other instead of deadlocking. Returns the locked ``tx`` and the other payments
    of its order (empty when it has no exclusive order). Call inside a transaction.
    """
    if not has_exclusive_order(tx):
        return CinetPayTransaction.objects.select_for_update().get(pk=tx.pk), []
    rows = list(_same_order(tx).select_for_update().order_by("pk"))
    locked = next(row for row in rows if row.pk == tx.pk)
    return locked, [row for row in rows if row.pk != tx.pk]


def paid_by(others: list[CinetPayTransaction]) -> CinetPayTransaction | None:
    """The payment among ``others`` that paid the order (accepted, not itself a duplicate)."""
    return next((p for p in others if p.status == PaymentStatus.ACCEPTED and p.duplicate_of_id is None), None)


def refuse_if_paid(tx: CinetPayTransaction) -> None:
    """Raise ``PaymentValidationError`` when the order of ``tx`` (saved or not) is already paid.

    For new attempts and new checkouts: the buyer is told before CinetPay takes any money.
    """
    if not has_exclusive_order(tx):
        return
    paid = _same_order(tx).filter(status=PaymentStatus.ACCEPTED, duplicate_of__isnull=True)
    if tx.pk is not None:
        paid = paid.exclude(pk=tx.pk)
    if paid.exists():
        raise exceptions.PaymentValidationError(
            _("This order is already paid: it cannot be paid a second time.")
        )
