"""Escrow state changes: open with the payment, confirm, dispute, resolve, refund, release.

Each function locks the escrow row, follows :data:`~django_cinetpay.states.ESCROW_TRANSITIONS`, writes an
audit row and sends its signal after commit. A release or a refund creates its payout in the same
transaction, so money leaving an escrow is always matched by one payout row. Asking again for a change
already made (a second confirmation, a duplicate dispute) changes nothing; asking for a change the table
forbids raises :class:`~django_cinetpay.exceptions.InvalidTransitionError`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import exceptions, signals
from ..adapter import get_adapter
from ..conf import duration, optional_duration, settings
from ..models import CinetPayTransaction, EscrowTransaction, EscrowTransactionQuerySet
from ..states import ESCROW_TRANSITIONS, EscrowStatus, PayoutKind
from .audit import Actor, record
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

    Idempotent: a payment has at most one escrow (a database constraint too).
    """
    existing = EscrowTransaction.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
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
            _confirm(locked, Actor.for_user(user), timezone.now())
            locked.save()
    return fresh_for_caller(escrow, locked)


def _confirm(escrow: EscrowTransaction, actor: Actor, now: dt.datetime, reason: str = "") -> None:
    _move(escrow, EscrowStatus.CONFIRMED, actor, reason)
    escrow.confirmed_at = now
    escrow.release_due_at = now + duration("CINETPAY_ESCROW_SECURITY_PERIOD")
    if escrow.release_due_at <= now:
        _release(escrow, actor, "no security period")


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
        resolve = _release if outcome == EscrowStatus.RELEASED else _refund
        resolve(locked, Actor.for_admin(user), note)
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


def _release(escrow: EscrowTransaction, actor: Actor, reason: str) -> None:
    _move(escrow, EscrowStatus.RELEASED, actor, reason)
    escrow.resolved_at = timezone.now()
    payout = None
    if escrow.seller_amount > 0:
        payout = create_payout(escrow, PayoutKind.SELLER_PAYOUT, escrow.seller_amount, actor=actor)
    send_on_commit(signals.escrow_released, EscrowTransaction, escrow=escrow, payout=payout)


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


# --- the job -------------------------------------------------------------------------------------------


def release_due_escrows(*, limit: int | None = None, actor: Actor | None = None) -> tuple[int, int]:
    """The release job: auto-confirm silent buyers (if configured), then release escrows whose period passed.

    Rows are taken with ``skip_locked``, so several workers share the work; each escrow is handled in
    its own savepoint so one failing escrow (e.g. a broken adapter hook) does not block the others.
    Returns ``(confirmed, released)`` counts (with a zero security period a confirmation also releases).
    """
    actor = actor or Actor.job("release_due_escrows")
    limit = limit or settings.CINETPAY_JOB_BATCH_SIZE
    now = timezone.now()
    confirmed: list[EscrowTransaction] = []
    auto_after = optional_duration("CINETPAY_ESCROW_AUTO_CONFIRM_AFTER")
    if auto_after is not None:
        due = EscrowTransaction.objects.due_for_auto_confirm(now - auto_after)
        confirmed = _each_locked(due, limit, lambda e: _confirm(e, actor, now, reason="buyer did not answer"))
    released = _each_locked(
        EscrowTransaction.objects.due_for_release(now),
        limit,
        lambda e: _release(e, actor, "security period over"),
    )
    released_at_confirmation = sum(1 for e in confirmed if e.status == EscrowStatus.RELEASED)
    return len(confirmed), len(released) + released_at_confirmation


def _each_locked(
    queryset: EscrowTransactionQuerySet, limit: int, change: Callable[[EscrowTransaction], None]
) -> list[EscrowTransaction]:
    """Apply ``change`` to up to ``limit`` rows of ``queryset`` that no other worker holds.

    Returns the escrows changed.
    """
    done = []
    with transaction.atomic():
        rows = queryset.select_for_update(skip_locked=True, of=("self",)).select_related("payment")
        for escrow in rows.order_by("pk")[:limit]:
            try:
                with transaction.atomic():
                    change(escrow)
                    escrow.save()
            except Exception:
                logger.exception("Escrow %s could not be processed", escrow.pk)
            else:
                done.append(escrow)
    return done


__all__ = [
    "commission_rate_for",
    "confirm_receipt",
    "open_dispute",
    "open_escrow",
    "refund_escrow",
    "release_due_escrows",
    "resolve_dispute",
    "split_amount",
]
