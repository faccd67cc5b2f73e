"""Escrow state changes: open with the payment, confirm, dispute, resolve, refund, release.

Each function locks the escrow row, follows :data:`~django_cinetpay.states.ESCROW_TRANSITIONS`, writes an
audit row and sends its signal after commit. A release or a refund creates its payout in the same
transaction, so money leaving an escrow is always matched by one payout row. Asking again for a change
already made (a second confirmation, a duplicate dispute) changes nothing; asking for a change the table
forbids raises :class:`~django_cinetpay.exceptions.InvalidTransitionError`.

Confirming and releasing are written set-based (one ``UPDATE`` of the escrows, bulk inserts of payouts and
audit rows) for one escrow as for a batch, so the buyer's confirmation and the release job share one
implementation, and the job's queries grow with its batches rather than its escrows.

Over 400 lines on purpose: the person's actions and the job are the same transitions (one ``_Change``
written by one ``_write``), and splitting them would put that one implementation in two modules.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exceptions, signals
from ..adapter import get_adapter
from ..conf import duration, optional_duration, settings
from ..models import CinetPayTransaction, EscrowTransaction, EscrowTransactionQuerySet, PayoutRequest
from ..states import ESCROW_TRANSITIONS, ActorKind, EscrowStatus, PayoutKind, can_transition
from .audit import Actor, record, record_each
from .payout_batches import PayoutOrder, create_payouts, order_payout
from .payouts import create_payout
from .transitions import fresh_for_caller, move, send_on_commit

logger = logging.getLogger("django_cinetpay")

#: CinetPay moves money in multiples of 5.
MONEY_STEP = 5
#: Commission rates have 4 decimal places (``EscrowTransaction.commission_rate``).
RATE_PLACES = Decimal("0.0001")
#: Permission that lets staff refund an escrow or resolve its dispute.
RESOLVE_PERMISSION = "cinetpay.resolve_escrowtransaction"


# --- money --------------------------------------------------------------------------------------------


def split_amount(amount: int, rate: Decimal) -> tuple[int, int]:
    """``(commission, seller_amount)`` for ``amount`` at commission ``rate``.

    ``seller_amount`` is ``amount * (1 - rate)`` rounded *down* to a multiple of 5 (CinetPay transfers
    multiples of 5 only) and the commission is the rest, so ``commission + seller_amount == amount``
    exactly: rounding never creates or loses a franc.
    """
    if not Decimal(0) <= rate < Decimal(1):
        raise exceptions.CinetPayConfigurationError(f"A commission rate must be in [0, 1); got {rate}.")
    seller_share = (Decimal(amount) * (1 - rate) / MONEY_STEP).to_integral_value(rounding=ROUND_FLOOR)
    seller_amount = int(seller_share) * MONEY_STEP
    return amount - seller_amount, seller_amount


def commission_rate_for(payment: CinetPayTransaction) -> Decimal:
    """The payment's own rate, else the adapter's ``get_commission_rate``, else the setting.

    The setting is ``CINETPAY_COMMISSION_RATE`` (a decimal string such as ``"0.05"``). The rate is used
    to 4 decimal places, as the escrow stores it, so the stored rate is exactly the one applied.
    """
    rate = payment.commission_rate
    if rate is None:
        rate = get_adapter().get_commission_rate(payment)
    if rate is None:
        rate = settings.CINETPAY_COMMISSION_RATE
    try:
        return Decimal(str(rate)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise exceptions.CinetPayConfigurationError(f"Invalid commission rate {rate!r}.") from None


# --- helpers -------------------------------------------------------------------------------------------


def _lock(escrow: EscrowTransaction) -> EscrowTransaction:
    return (
        EscrowTransaction.objects.select_for_update(of=("self",)).select_related("payment").get(pk=escrow.pk)
    )


def _move(escrow: EscrowTransaction, target: str, actor: Actor, reason: str = "") -> None:
    move(escrow, ESCROW_TRANSITIONS, target, actor, reason)


def _require_buyer(escrow: EscrowTransaction, user: Any) -> None:
    if getattr(user, "pk", None) is None or user.pk != escrow.payment.buyer_id:
        raise exceptions.PermissionDeniedError(_("Only the buyer can do this."))


def _require_staff(user: Any) -> None:
    if not user.has_perm(RESOLVE_PERMISSION):
        raise exceptions.PermissionDeniedError(
            _("Only staff with the %(permission)s permission can do this.")
            % {"permission": RESOLVE_PERMISSION}
        )


def _required_text(text: str, missing: str) -> str:
    """``text`` stripped; ``InvalidInputError`` saying ``missing`` when it is blank, or with a NUL
    character, which no database column should get (PostgreSQL refuses it)."""
    text = (text or "").strip()
    if not text:
        raise exceptions.InvalidInputError(missing)
    if "\x00" in text:
        raise exceptions.InvalidInputError(_("Null characters are not allowed."))
    return text


# --- opening -------------------------------------------------------------------------------------------


def open_escrow(payment: CinetPayTransaction, *, actor: Actor) -> EscrowTransaction:
    """Hold the money of an accepted payment. Call in the transaction that accepts it, payment row locked.

    Called only where the payment *moves into* ``accepted`` under its row lock; ``accepted`` is final and
    no escrow is opened any other way, so none can exist yet and none is looked for (one query less on
    the notification path). The one-to-one column still refuses a second escrow at the database.
    """
    rate = commission_rate_for(payment)
    commission, seller_amount = split_amount(payment.amount, rate)
    escrow = EscrowTransaction.objects.create(
        payment=payment,
        amount=payment.amount,
        currency=payment.currency,
        commission_rate=rate,
        commission=commission,
        seller_amount=seller_amount,
    )
    record(escrow, "", EscrowStatus.HELD, actor, reason=f"commission {commission} at {rate:.2%}")
    return escrow


# --- the buyer -----------------------------------------------------------------------------------------


def confirm_receipt(escrow: EscrowTransaction, user: Any) -> EscrowTransaction:
    """The buyer confirms receipt: the security period starts (zero: released at once).

    A confirmation of a confirmed or released escrow changes nothing. Returns the escrow, fresh.

    Raises ``PermissionDeniedError`` for anyone but the buyer, ``InvalidTransitionError`` once disputed
    or refunded.
    """
    with transaction.atomic():
        locked = _lock(escrow)
        _require_buyer(locked, user)
        if locked.status not in (EscrowStatus.CONFIRMED, EscrowStatus.RELEASED):
            _apply(locked, _confirming(timezone.now(), ""), Actor.for_user(user))
    return fresh_for_caller(escrow, locked)


def open_dispute(escrow: EscrowTransaction, user: Any, reason: str) -> EscrowTransaction:
    """The buyer reports a problem, while the money is held or during the security period.

    Staff then resolve it with :func:`resolve_dispute`. A second dispute changes nothing (the first
    reason stays). Returns the escrow, fresh.

    Raises ``InvalidInputError`` without a reason, ``PermissionDeniedError`` for anyone but the buyer,
    ``InvalidTransitionError`` once the security period is over or the escrow resolved.
    """
    reason = _required_text(reason, _("A dispute needs a reason: please describe the problem."))
    with transaction.atomic():
        locked = _lock(escrow)
        _require_buyer(locked, user)
        if locked.status == EscrowStatus.DISPUTED:
            return fresh_for_caller(escrow, locked)
        now = timezone.now()
        if not locked.is_disputable(now):
            raise exceptions.InvalidTransitionError(locked, locked.status, EscrowStatus.DISPUTED)
        _move(locked, EscrowStatus.DISPUTED, Actor.for_user(user), reason)
        locked.disputed_at = now
        locked.dispute_reason = reason
        locked.save()
        send_on_commit(signals.escrow_disputed, EscrowTransaction, escrow=locked, reason=reason, user=user)
    return fresh_for_caller(escrow, locked)


# --- staff and seller ------------------------------------------------------------------------------------


def resolve_dispute(escrow: EscrowTransaction, user: Any, outcome: str, note: str) -> EscrowTransaction:
    """Staff decide a dispute: ``outcome`` is ``EscrowStatus.RELEASED`` (pay the seller) or ``REFUNDED``.

    Needs the ``cinetpay.resolve_escrowtransaction`` permission and a note. Deciding the same outcome
    again changes nothing. Returns the escrow, fresh; its payout (seller or refund) is on its way.

    Raises ``InvalidInputError`` for another outcome or without a note, ``PermissionDeniedError``
    without the permission, ``InvalidTransitionError`` when the escrow is not disputed (or was resolved
    the other way).
    """
    if outcome not in (EscrowStatus.RELEASED, EscrowStatus.REFUNDED):
        raise exceptions.InvalidInputError(
            _("A dispute resolves to released or refunded, not “%(outcome)s”.") % {"outcome": outcome}
        )
    _require_staff(user)
    note = _required_text(note, _("A resolution note is required."))
    with transaction.atomic():
        locked = _lock(escrow)
        if locked.status == outcome and locked.disputed_at is not None:
            return fresh_for_caller(escrow, locked)
        if locked.status != EscrowStatus.DISPUTED:
            raise exceptions.InvalidTransitionError(locked, locked.status, outcome)
        locked.resolution_note = note
        if outcome == EscrowStatus.RELEASED:
            _apply(locked, _releasing(timezone.now(), note), Actor.for_admin(user))
        else:
            _refund(locked, Actor.for_admin(user), note)
        locked.save()
    return fresh_for_caller(escrow, locked)


def refund_escrow(escrow: EscrowTransaction, user: Any, reason: str) -> EscrowTransaction:
    """Give the money back to the buyer: staff (held or disputed) or the seller cancelling the sale (held).

    Sends a refund payout to the number that paid. A second refund changes nothing. Returns the escrow,
    fresh.

    Raises ``InvalidInputError`` without a reason, ``PermissionDeniedError`` for anyone but staff with
    ``cinetpay.resolve_escrowtransaction`` or the seller (and the seller once it is disputed),
    ``InvalidTransitionError`` once released.
    """
    reason = _required_text(reason, _("A refund needs a reason."))
    with transaction.atomic():
        locked = _lock(escrow)
        if user.has_perm(RESOLVE_PERMISSION):
            actor = Actor.for_admin(user)
        elif getattr(user, "pk", None) is not None and user.pk == locked.payment.seller_id:
            if locked.status == EscrowStatus.DISPUTED:
                raise exceptions.PermissionDeniedError(_("Only staff can resolve a dispute."))
            actor = Actor.for_user(user)
        else:
            raise exceptions.PermissionDeniedError(_("Only staff or the seller can refund."))
        if locked.status == EscrowStatus.REFUNDED:
            return fresh_for_caller(escrow, locked)
        locked.resolution_note = reason
        _refund(locked, actor, reason)
        locked.save()
    return fresh_for_caller(escrow, locked)


def _refund(escrow: EscrowTransaction, actor: Actor, reason: str) -> None:
    _move(escrow, EscrowStatus.REFUNDED, actor, reason)
    escrow.resolved_at = timezone.now()
    payout = create_payout(escrow, PayoutKind.REFUND, escrow.amount, actor=actor)
    send_on_commit(signals.escrow_refunded, EscrowTransaction, escrow=escrow, payout=payout)


def settle_duplicate(
    escrow: EscrowTransaction, original: CinetPayTransaction, *, actor: Actor
) -> EscrowTransaction:
    """The escrow of a duplicate payment: its money never reaches the seller.

    ``CINETPAY_DUPLICATE_PAYMENT_ACTION`` ``"refund"`` (the default) refunds it to the number that paid
    at once; ``"hold"`` puts it in dispute, so neither the buyer's confirmation nor the release job can
    pay the seller, and staff decide. Call in the transaction that accepts the payment.
    """
    reason = f"duplicate payment: the order was already paid by {original.transaction_id}"
    if settings.CINETPAY_DUPLICATE_PAYMENT_ACTION == "hold":
        _move(escrow, EscrowStatus.DISPUTED, actor, reason)
        escrow.disputed_at = timezone.now()
        escrow.dispute_reason = reason
    else:
        escrow.resolution_note = reason
        _refund(escrow, actor, reason)
    escrow.save()
    return escrow


# --- confirming and releasing, one escrow or a batch ------------------------------------------------------

#: One step of a change: the status it moves to, and the reason the audit trail keeps.
Step = tuple[str, str]
#: The escrows a batch left as they were, with what stopped each.
Errors = list[tuple[EscrowTransaction, Exception]]


@dataclass(frozen=True)
class _Change:
    """Where escrows go, the same for every escrow of a batch: the audited steps, and the columns that
    change with the final status (timestamps)."""

    steps: tuple[Step, ...]
    fields: dict[str, Any]

    @property
    def status(self) -> str:
        return self.steps[-1][0]


def _confirming(now: dt.datetime, reason: str) -> _Change:
    """Receipt confirmed: the security period starts, and a zero period releases at once."""
    due = now + duration("CINETPAY_ESCROW_SECURITY_PERIOD")
    fields = {"confirmed_at": now, "release_due_at": due, "updated_at": now}
    if due > now:
        return _Change(((EscrowStatus.CONFIRMED, reason),), fields)
    steps = ((EscrowStatus.CONFIRMED, reason), (EscrowStatus.RELEASED, "no security period"))
    return _Change(steps, {**fields, "resolved_at": now})


def _releasing(now: dt.datetime, reason: str) -> _Change:
    """Released: the seller's payout follows."""
    return _Change(((EscrowStatus.RELEASED, reason),), {"resolved_at": now, "updated_at": now})


@dataclass(frozen=True)
class _Plan:
    """One escrow's part of a change: its audited moves ``(from, to, reason)``, and its seller payout."""

    escrow: EscrowTransaction
    moves: tuple[tuple[str, str, str], ...]
    payout: PayoutOrder | None


def _plan(escrow: EscrowTransaction, change: _Change) -> _Plan:
    """Check ``escrow``'s way through ``change`` against the transition table, and ask the adapter where
    a release pays the seller.

    Nothing is written: an escrow that cannot move (``InvalidTransitionError``, an adapter hook that
    raises) is left out of its batch before the batch writes.
    """
    moves = []
    status = escrow.status
    for target, reason in change.steps:
        if not can_transition(ESCROW_TRANSITIONS, status, target):
            raise exceptions.InvalidTransitionError(escrow, status, target)
        moves.append((status, target, reason))
        status = target
    payout = None
    if status == EscrowStatus.RELEASED and escrow.seller_amount > 0:
        payout = order_payout(escrow, PayoutKind.SELLER_PAYOUT, escrow.seller_amount)
    return _Plan(escrow, tuple(moves), payout)


def _write(plans: Sequence[_Plan], change: _Change, actor: Actor) -> None:
    """Write ``plans`` set-based: one ``UPDATE`` of the escrows (rows locked by the caller), one
    ``INSERT`` of audit rows per step, their payouts by bulk (see :func:`.payout_batches.create_payouts`).

    Then the escrow instances hold what was written, and ``escrow_released`` is queued for each escrow
    released (see :func:`_announce_released`).
    """
    columns = {**change.fields, "status": change.status}
    EscrowTransaction.objects.filter(pk__in=[plan.escrow.pk for plan in plans]).update(**columns)
    moved: dict[tuple[str, str, str], list[int]] = defaultdict(list)  # one INSERT per step
    for plan in plans:
        for step in plan.moves:
            moved[step].append(plan.escrow.pk)
    for (old, new, reason), pks in moved.items():
        record_each(EscrowTransaction.objects.filter(pk__in=pks), old, new, actor, reason)
    payout_ids = create_payouts([plan.payout for plan in plans if plan.payout is not None], actor=actor)
    for plan in plans:
        for name, value in columns.items():
            setattr(plan.escrow, name, value)
    if any(target == EscrowStatus.CONFIRMED for target, _ in change.steps):
        _announce_confirmed([plan.escrow for plan in plans], automatic=actor.kind != ActorKind.USER)
    if change.status == EscrowStatus.RELEASED:
        _announce_released([plan.escrow for plan in plans], payout_ids)


def _announce_confirmed(escrows: Sequence[EscrowTransaction], *, automatic: bool) -> None:
    """Queue ``escrow_confirmed`` for each escrow, sent after commit (nothing to read, so no query)."""
    if signals.escrow_confirmed.has_listeners(EscrowTransaction):
        for escrow in escrows:
            send_on_commit(signals.escrow_confirmed, EscrowTransaction, escrow=escrow, automatic=automatic)


def _announce_released(escrows: Sequence[EscrowTransaction], payout_ids: dict[int, int]) -> None:
    """Queue ``escrow_released`` for each escrow, sent after commit with the fresh row and its payout.

    The payouts are read (one query) only when a receiver listens: a job's worker often has none, and
    building them would cost as much as creating them.
    """
    if not signals.escrow_released.has_listeners(EscrowTransaction):
        return
    payouts = PayoutRequest.objects.in_bulk(payout_ids.values())
    for escrow in escrows:
        payout_id = payout_ids.get(escrow.pk)  # none when the seller gets nothing (100 % commission)
        payout = payouts[payout_id] if payout_id else None
        send_on_commit(signals.escrow_released, EscrowTransaction, escrow=escrow, payout=payout)


def _apply(escrow: EscrowTransaction, change: _Change, actor: Actor) -> None:
    """Make ``change`` to one locked escrow; what stops it is raised."""
    _write([_plan(escrow, change)], change, actor)


def _apply_each(
    escrows: Sequence[EscrowTransaction],
    change: _Change,
    actor: Actor,
    errors: Errors,
) -> list[EscrowTransaction]:
    """Make ``change`` to a locked batch; each escrow that cannot move goes to ``errors``, the rest on.

    Returns the escrows changed.
    """
    plans = []
    for escrow in escrows:
        try:
            plans.append(_plan(escrow, change))
        except Exception as exc:
            _failed(escrow, exc, errors)
    return _write_isolated(plans, change, actor, errors) if plans else []


def _write_isolated(
    plans: Sequence[_Plan], change: _Change, actor: Actor, errors: Errors
) -> list[EscrowTransaction]:
    """:func:`_write` in a savepoint; when the database refuses a row (a value too long for its column,
    a constraint), each half of the batch is written again the same way, down to that one escrow, so
    it holds back no other (a hundred escrows with one bad row: about fourteen writes, not a hundred).
    A payout id drawn twice is refused the same way, and its half draws new ones.

    Other database errors (a lost connection, a lock timeout) concern the whole batch: they are raised.
    """
    try:
        with transaction.atomic():
            _write(plans, change, actor)
    except (IntegrityError, DataError) as exc:
        if len(plans) == 1:
            _failed(plans[0].escrow, exc, errors)
            return []
        logger.warning("A batch of %s escrows failed (%s); writing it again in halves", len(plans), exc)
        half = len(plans) // 2
        return [
            *_write_isolated(plans[:half], change, actor, errors),
            *_write_isolated(plans[half:], change, actor, errors),
        ]
    return [plan.escrow for plan in plans]


def _failed(escrow: EscrowTransaction, exc: Exception, errors: Errors) -> None:
    logger.error("Escrow %s could not be processed", escrow.pk, exc_info=exc)
    errors.append((escrow, exc))


# --- the job -------------------------------------------------------------------------------------------


@dataclass
class ReleaseReport:
    """What one run of :func:`release_due_escrows` did.

    ``errors`` holds each escrow left as it was and what stopped it (an adapter hook that raised, a
    value the database refused); the next run tries it again.
    """

    confirmed: int = 0  # confirmed for buyers who never answered
    released: int = 0  # with a zero security period, those confirmed are released too
    errors: Errors = field(default_factory=list)

    def add(self, change: _Change, moved: int) -> None:
        if any(target == EscrowStatus.CONFIRMED for target, _ in change.steps):
            self.confirmed += moved
        if change.status == EscrowStatus.RELEASED:
            self.released += moved


def release_due_escrows(*, limit: int | None = None, actor: Actor | None = None) -> ReleaseReport:
    """The release job: auto-confirm silent buyers (if configured), then release escrows whose period passed.

    Works in batches of ``CINETPAY_JOB_BATCH_SIZE`` escrows, each its own short transaction: the next
    due rows no other worker holds are locked (``skip_locked``) and changed set-based, and the signals
    and one payout-sending task per batch follow its commit. So workers started together share the
    rows, locks are held for one batch only, and the queries grow with the batches, not the escrows.
    Runs until no due escrow is left, or ``limit`` escrows were taken per step (confirming, releasing).

    An escrow that cannot move (e.g. a broken adapter hook) is logged, reported in
    :attr:`ReleaseReport.errors` and left for the next run; the others carry on. Returns the
    :class:`ReleaseReport`.
    """
    actor = actor or Actor.job("release_due_escrows")
    report = ReleaseReport()
    now = timezone.now()
    auto_after = optional_duration("CINETPAY_ESCROW_AUTO_CONFIRM_AFTER")
    if auto_after is not None:
        silent = EscrowTransaction.objects.due_for_auto_confirm(now - auto_after)
        _change_in_batches(silent, limit, lambda at: _confirming(at, "buyer did not answer"), actor, report)
    due = EscrowTransaction.objects.due_for_release(now)
    _change_in_batches(due, limit, lambda at: _releasing(at, "security period over"), actor, report)
    return report


def _change_in_batches(
    queryset: EscrowTransactionQuerySet,
    limit: int | None,
    change_at: Callable[[dt.datetime], _Change],
    actor: Actor,
    report: ReleaseReport,
) -> None:
    """Apply ``change_at(now)`` to the rows of ``queryset`` no other worker holds, a locked batch at a time.

    No ``ORDER BY``: the database hands over the first due rows it finds unlocked, so a batch costs
    the same whatever the backlog (sorting every due row per batch made a large backlog quadratic).
    Escrows that failed are left out for the rest of the run; within a batch, the rows are handled in
    primary-key order.
    """
    size = settings.CINETPAY_JOB_BATCH_SIZE
    rows = queryset.select_for_update(skip_locked=True, of=("self",)).select_related(
        "payment__seller"  # what adapters read to find where the seller is paid
    )
    taken = 0
    while limit is None or taken < limit:
        count = size if limit is None else min(size, limit - taken)
        failed = [escrow.pk for escrow, _ in report.errors]
        with transaction.atomic():
            batch = sorted(rows.exclude(pk__in=failed).order_by()[:count], key=lambda escrow: escrow.pk)
            if batch:
                change = change_at(timezone.now())
                report.add(change, len(_apply_each(batch, change, actor, report.errors)))
        if len(batch) < count:
            return
        taken += count


__all__ = [
    "ReleaseReport",
    "commission_rate_for",
    "confirm_receipt",
    "open_dispute",
    "open_escrow",
    "refund_escrow",
    "release_due_escrows",
    "resolve_dispute",
    "split_amount",
]
