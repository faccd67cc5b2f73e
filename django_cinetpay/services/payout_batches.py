"""Seller payouts by the batch: created set-based by a release, sent by one task per batch.

A release (:mod:`.escrow`) resolves a whole batch of escrows in one short transaction. Creating their
payouts one ``INSERT`` at a time, with one audit ``INSERT`` and one task each, made the release job cost
six queries per escrow; here a batch costs one ``INSERT`` of payouts, one of audit rows and one task,
whatever its size. The rules are :func:`~.payouts.create_payout`'s: the adapter names each destination,
a missing or unusable one is no error (the payout waits, ``last_error`` says why), and nothing is sent
before the transaction commits.

One ``send_payouts`` task per batch rather than one ``send_payout`` per payout: with a database-backed
queue every task is a row written and claimed, so per-payout tasks would put the per-row cost back at
commit. A batch shares one CinetPay client (one login), several workers still share the work (one batch
each), and a batch stops early when CinetPay cannot be used at all, leaving its other payouts pending for
the ``cinetpay_process_payouts`` cron command.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.utils import timezone

from ..client import TransferBackend
from ..client.vocabulary import transfer_currency_problem
from ..models import EscrowTransaction, PayoutRequest
from ..states import PayoutStatus
from . import queue
from .audit import Actor, record_each
from .destinations import adapter_destination
from .payouts import StepResult
from .sending import BatchReport, process_payout

logger = logging.getLogger("django_cinetpay")


@dataclass(frozen=True)
class PayoutOrder:
    """A payout about to be created, with the adapter's answer about its destination already in.

    Asking the adapter is the only part of a payout that runs host code and may raise, so a batch asks
    for every escrow first and leaves out the ones whose adapter failed before writing anything.
    """

    escrow: EscrowTransaction
    kind: str
    amount: int
    destination: dict[str, str]
    why_none: str  # why there is no destination ("" when there is one)

    def columns(self) -> dict[str, Any]:
        """The new payout's values this order decides, by column (``attname``); the others are defaults."""
        currency = self.escrow.currency
        problem = self.why_none or transfer_currency_problem(self.destination.get("prefix", ""), currency)
        return {
            "escrow_id": self.escrow.pk,
            "kind": self.kind,
            "amount": self.amount,
            "currency": currency,
            "backend": self.escrow.payment.backend,  # paid out through the API the money came in by
            **self.destination,
            "last_error": problem,
        }


def order_payout(escrow: EscrowTransaction, kind: str, amount: int) -> PayoutOrder:
    """Ask the adapter where a payout of ``kind`` for ``escrow`` goes. Raises what the adapter raises."""
    destination, why_none = adapter_destination(escrow, kind)
    return PayoutOrder(escrow, kind, amount, destination, why_none)


def create_payouts(orders: Sequence[PayoutOrder], *, actor: Actor) -> dict[int, int]:
    """Create the pending payouts of ``orders`` and their audit rows: two ``INSERT``s for any number.

    Call inside the transaction that resolves the escrows, their rows locked; one ``send_payouts`` task
    for them all is enqueued once it commits. Returns each escrow's new payout id, in ``orders``' order.
    """
    if not orders:
        return {}
    rows = [order.columns() for order in orders]
    connection = connections[router.db_for_write(PayoutRequest)]
    created = _insert_unnested(rows, connection) if connection.vendor == "postgresql" else _insert(rows)
    ids = {order.escrow.pk: created[order.escrow.pk] for order in orders}
    record_each(PayoutRequest.objects.filter(pk__in=ids.values()), "", PayoutStatus.PENDING, actor)
    queue.enqueue_on_commit("send_payouts", list(ids.values()))
    return ids


def _insert(rows: list[dict[str, Any]]) -> dict[int, int]:
    """``bulk_create``: the new payout ids by escrow id."""
    payouts = PayoutRequest.objects.bulk_create([PayoutRequest(**row) for row in rows])
    return {payout.escrow_id: payout.pk for payout in payouts}


def _insert_unnested(rows: list[dict[str, Any]], connection: BaseDatabaseWrapper) -> dict[int, int]:
    """What :func:`_insert` does, on PostgreSQL, sending a column once rather than each of its values.

    ``bulk_create`` prepares and sends every field of every row: for a payout over two dozen columns,
    most of them alike for the whole batch (status, CinetPay's fields still empty, timestamps), which
    cost more than all the rest of a release. Here a column alike in every row is one parameter, and
    each other column one array, unnested by PostgreSQL; ``escrow_id``, which tells the new rows apart,
    is always an array. Columns not in ``rows`` take their field's default (a callable one is called per
    row: each payout draws its own ``client_transaction_id``), and every value goes through its field,
    as in an ORM insert.
    """
    now = timezone.now()  # what auto_now and auto_now_add set
    opts = PayoutRequest._meta

    def column(field: Field[Any, Any]) -> str:
        return connection.ops.quote_name(field.db_column or field.get_attname())

    names: list[str] = []
    selected: list[str] = []  # per column: "%s" (alike in every row) or its unnested array
    constants: list[Any] = []
    arrays: list[list[Any]] = []
    types: list[str] = []
    for field in opts.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values = [now]
        elif field.attname in rows[0]:
            values = [row[field.attname] for row in rows]
        else:
            values = [field.get_default() for _ in rows]
        names.append(column(field))
        if field.attname != "escrow_id" and all(value == values[0] for value in values):
            selected.append("%s")
            constants.append(field.get_db_prep_save(values[0], connection))
        else:
            selected.append(f"d.c{len(arrays)}")
            arrays.append([field.get_db_prep_save(value, connection) for value in values])
            types.append(f"%s::{field.db_type(connection)}[]")
    aliases = ", ".join(f"c{index}" for index in range(len(arrays)))
    # Only the model's own table and column names are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(types)}) AS d({aliases}) "
        f"RETURNING {column(PayoutRequest.escrow.field)}, {column(opts.pk)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *arrays])
        return dict(cursor.fetchall())


def send_payouts(
    payout_ids: Sequence[int], *, client: TransferBackend | None = None, actor: Actor | None = None
) -> BatchReport:
    """Move each payout of ``payout_ids`` forward (see :func:`~.sending.process_payout`), each through the
    shared client of its API, or ``client`` for all.

    Stops early when CinetPay cannot be used at all (network, credentials, balance): the payouts not
    reached stay as they are, for the ``cinetpay_process_payouts`` cron command. Safe alongside other
    workers and that command: a payout is claimed before it is sent, so it is sent once.
    """
    actor = actor or Actor.job("send_payouts")
    steps: list[StepResult] = []
    for payout_id in payout_ids:
        result = process_payout(payout_id, client=client, actor=actor)
        steps.append(result)
        if result.stops_batch:
            logger.warning("Payout sends stopped early: %s", result.error)
            return BatchReport(tuple(steps), result.error)
    return BatchReport(tuple(steps))
