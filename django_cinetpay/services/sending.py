"""Sending payouts: claim, send once, conclude, look up, and the job that moves every due payout forward.

The row is moved to ``sending`` (committed) *before* the HTTP call, so a crash or a timeout leaves a
trace, and any payout whose send may have reached CinetPay (``unknown``, or ``sending`` for too long) is
looked up by its ``client_transaction_id`` before anything else. Only when CinetPay knows no such
transfer is it sent again, with the same id, which CinetPay refuses (805) if the first send arrived
after all. HTTP calls happen outside row locks. Several workers may run these functions at once: a
payout is claimed with ``skip_locked`` and a status test, so only one of them sends it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import exceptions
from ..client import ContactResult, Transfer, TransferBackend, get_transfer_client
from ..client.codes import TRANSACTION_EXISTS_CODES, refused_before_acting
from ..client.transfer_answers import NOT_CONTACT
from ..client.vocabulary import transfer_currency_problem
from ..conf import duration, settings
from ..models import PayoutRequest
from ..states import PayoutStatus
from ..utils import mask_phone
from .audit import Actor
from .callbacks import transfer_notify_url
from .destinations import adapter_destination, unusable_destination_error
from .payouts import Step, StepResult, announce_finish, apply_transfer, locked_payout, move_payout
from .transitions import fresh_for_caller

logger = logging.getLogger("django_cinetpay")


def _note_error(payout: PayoutRequest, error: Exception | str) -> None:
    """Record why a payout is not moving, without changing its status.

    ``last_checked_at`` moves too, so the job's next batch starts with payouts it has not tried yet.
    """
    code = getattr(error, "code", "")
    message = getattr(error, "message", "") or str(error)
    now = timezone.now()
    PayoutRequest.objects.filter(pk=payout.pk).update(
        last_error=str(error),
        cinetpay_code=code[:16],
        cinetpay_message=message[:255],
        last_checked_at=now,
        updated_at=now,
    )
    payout.last_error = str(error)


def _unknown_reason(error: Exception, *, resend: bool) -> str:
    """What staff read on a payout whose send raised and which is therefore ``unknown``."""
    if (
        resend
        and isinstance(error, exceptions.CinetPayAPIError)
        and error.code not in TRANSACTION_EXISTS_CODES
    ):
        return (
            f"CinetPay refused the new send ({error}), but an earlier send of this payout may have "
            "reached CinetPay: it stays unknown and is looked up again before anything else. It is never "
            "marked failed on a doubt; check the CinetPay back-office if it lasts."
        )
    return f"Send outcome unknown ({error}); the transfer will be looked up first."


def _conclude_send(
    payout: PayoutRequest, target: str, actor: Actor, error: Exception, *, resend: bool = False
) -> PayoutRequest:
    """After a send that raised: move the payout from ``sending`` to ``target``, unless already moved.

    ``payout`` is the row as :func:`_claim` returned it; its ``send_started_at`` identifies the attempt.
    Only that attempt is concluded: a transfer notification may have settled the payout while the send
    was in flight, or the attempt may have stalled past ``CINETPAY_PAYOUT_SEND_STALE_AFTER`` and another
    worker may have started a newer one, which this late answer says nothing about. Then the payout
    stays as it is and the answer is only logged.
    """
    with transaction.atomic():
        locked = locked_payout(payout.pk)
        if locked.status == PayoutStatus.SENDING and locked.send_started_at != payout.send_started_at:
            logger.warning(
                "Payout %s: ignoring the late answer of an earlier send attempt (%s); a newer one is "
                "in flight",
                locked.client_transaction_id,
                error,
            )
        elif locked.status == PayoutStatus.SENDING:
            code = getattr(error, "code", "")
            message = getattr(error, "message", "") or str(error)
            move_payout(locked, target, actor, reason=str(error)[:1000])
            locked.cinetpay_code, locked.cinetpay_message = code[:16], message[:255]
            locked.last_error = (
                _unknown_reason(error, resend=resend)
                if target == PayoutStatus.UNKNOWN
                else str(error)  # CinetPay's code, message and what to do about it
            )
            announce_finish(locked, code, message)
            locked.save()
    return locked


def _concluded(payout: PayoutRequest, error: Exception) -> StepResult:
    """The step a send that raised ends with, from where :func:`_conclude_send` left the payout."""
    step = {
        PayoutStatus.FAILED: Step.FAILED,
        PayoutStatus.UNKNOWN: Step.UNKNOWN,
        PayoutStatus.SENDING: Step.WAITING,  # a newer attempt is in flight
    }.get(PayoutStatus(payout.status), Step.SETTLED)  # a notification settled it meanwhile
    return StepResult(step, payout, error)


#: The columns a claim changes (:func:`~.payouts.move_payout` sets none other for ``sending``).
_CLAIM_FIELDS = ("status", "send_started_at", "last_error", "updated_at")


def _claim(payout: PayoutRequest, from_status: str, actor: Actor) -> PayoutRequest | None:
    """Move the payout to ``sending`` (committed) if it is still ``from_status`` and no one holds it."""
    with transaction.atomic():
        locked = (
            PayoutRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=payout.pk, status=from_status)
            .first()
        )
        if locked is None:
            return None
        move_payout(locked, PayoutStatus.SENDING, actor)
        # The attempt's token (see _conclude_send). Not read back: every database Django supports keeps
        # a DateTimeField to the microsecond, so the value stored is this one.
        locked.send_started_at = timezone.now()
        locked.last_error = ""  # what kept it waiting is over
        locked.save(update_fields=_CLAIM_FIELDS)
    return locked


def _refresh_destination(payout: PayoutRequest) -> bool:
    """Give a pending payout without a destination a second chance: the host may know it by now."""
    if payout.has_destination:
        return True
    fields, why_none = adapter_destination(payout.escrow, payout.kind)
    if not fields:
        _note_error(payout, why_none)
        return False
    updated = PayoutRequest.objects.filter(pk=payout.pk, status=PayoutStatus.PENDING, phone="").update(
        last_error="", updated_at=timezone.now(), **fields
    )
    for name, value in fields.items():
        setattr(payout, name, value)
    return bool(updated)


def _send(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> StepResult:
    """Add the contact, claim the payout, send it once. The caller has made sure it may be sent.

    Nothing is sent to a stored number that is not a valid mobile number in the normalised form, nor to
    a country CinetPay pays in another currency than the payout's (a send carries no currency): the
    payout waits, with ``last_error`` saying why.
    """
    if payout.status == PayoutStatus.PENDING and not _refresh_destination(payout):
        return StepResult(Step.WAITING, payout)
    problem = unusable_destination_error(payout) or transfer_currency_problem(payout.prefix, payout.currency)
    if problem:
        logger.warning("Payout %s not sent: %s", payout.client_transaction_id, problem)
        _note_error(payout, problem)
        return StepResult(Step.WAITING, payout)
    notify_url = transfer_notify_url(payout.backend)
    try:
        contact = _add_contact(client, payout)
    except exceptions.CinetPayError as exc:  # nothing was sent: the payout keeps its status
        logger.warning("Payout %s: adding the contact failed: %s", payout.client_transaction_id, exc)
        _note_error(payout, exc)
        return StepResult(Step.ERROR, payout, exc)
    resend = payout.status != PayoutStatus.PENDING  # after an unknown outcome: the id may be at CinetPay
    claimed = _claim(payout, payout.status, actor)
    if claimed is None:
        return StepResult(Step.WAITING, payout)
    try:
        transfer = _send_money(client, claimed, notify_url, re_add=contact.remembered and not resend)
    except Exception as exc:
        if not resend and refused_before_acting(exc):  # certainly no transfer: failed, staff may retry
            logger.warning("Payout %s refused by CinetPay: %s", claimed.client_transaction_id, exc)
            return _concluded(_conclude_send(claimed, PayoutStatus.FAILED, actor, exc), exc)
        # Timeout, 5xx, garbage, an unknown code, any error after a doubt, or a bug: CinetPay may have acted.
        logger.warning("Payout %s: send outcome unknown: %s", claimed.client_transaction_id, exc)
        unknown = _concluded(_conclude_send(claimed, PayoutStatus.UNKNOWN, actor, exc, resend=resend), exc)
        if not isinstance(exc, exceptions.CinetPayError):
            raise
        return unknown
    logger.info(
        "Payout %s sent to %s: %s",
        claimed.client_transaction_id,
        mask_phone(claimed.phone),
        transfer.treatment_status or "no status",
    )
    return StepResult(Step.SENT, apply_transfer(claimed, transfer, actor=actor))


def _add_contact(client: TransferBackend, payout: PayoutRequest) -> ContactResult:
    """Make the payout's recipient a contact, which CinetPay requires before a send (the client asks
    CinetPay only for a recipient it does not remember adding)."""
    return client.add_contact(payout.prefix, payout.phone, payout.name, payout.surname, payout.email)


def _send_money(client: TransferBackend, payout: PayoutRequest, notify_url: str, *, re_add: bool) -> Transfer:
    """Send ``payout``, claimed, once; with ``re_add``, once more if CinetPay has lost its contact.

    ``re_add`` is for a first send to a contact the client only remembered adding: it may have been
    removed in CinetPay's back-office since, and CinetPay answers 724 (not a contact), which would fail
    the payout. 724 proves CinetPay created no transfer, so the contact is added again and the same
    request sent once more, with the same ``client_transaction_id``. Otherwise a 724 is an answer like
    any other: after a send whose outcome is unknown it keeps the payout unknown, and the client, having
    forgotten the contact, adds it again at the next attempt.
    """

    def send() -> Transfer:
        return client.send_money(
            payout.prefix, payout.phone, payout.amount, payout.client_transaction_id, notify_url
        )

    try:
        return send()
    except exceptions.CinetPayAPIError as exc:
        if not (re_add and exc.code == NOT_CONTACT and refused_before_acting(exc)):
            raise
        logger.info(
            "Payout %s: CinetPay no longer has %s as a contact; adding it again",
            payout.client_transaction_id,
            mask_phone(payout.phone),
        )
    _add_contact(client, payout)
    return send()


def _look_up(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> tuple[StepResult, bool]:
    """Ask CinetPay about the payout's transfer and apply the answer.

    Returns the result and whether CinetPay knows the transfer at all.
    """
    try:
        transfer = client.check_transfer(payout.client_transaction_id)
    except exceptions.CinetPayError as exc:
        _note_error(payout, exc)
        return StepResult(Step.ERROR, payout, exc), True
    if transfer is None:
        return StepResult(Step.WAITING, payout), False
    return StepResult(Step.SETTLED, apply_transfer(payout, transfer, actor=actor)), True


def _mark_stale_sending_unknown(payout: PayoutRequest, actor: Actor) -> PayoutRequest | None:
    """A payout ``sending`` for longer than ``CINETPAY_PAYOUT_SEND_STALE_AFTER`` was interrupted: unknown."""
    cutoff = timezone.now() - duration("CINETPAY_PAYOUT_SEND_STALE_AFTER")
    with transaction.atomic():
        locked = (
            PayoutRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=payout.pk, status=PayoutStatus.SENDING, send_started_at__lte=cutoff)
            .first()
        )
        if locked is None:
            return None
        move_payout(
            locked,
            PayoutStatus.UNKNOWN,
            actor,
            reason="send interrupted (still sending after the time limit)",
        )
        locked.save()
    return locked


def process_payout(
    payout: PayoutRequest | int, *, client: TransferBackend | None = None, actor: Actor | None = None
) -> StepResult:
    """Move one payout forward as far as CinetPay allows now. Safe to call from several workers at once.

    * ``pending``: add the contact, claim, send.
    * ``unknown`` (or ``sending`` for too long): look the transfer up by ``client_transaction_id``;
      send again with the same id only if CinetPay knows no such transfer.
    * ``submitted``: check it (CinetPay may hold it for hours for manual approval).
    * ``sending`` (in flight), ``completed``, ``failed``: nothing.

    The payout is read again first, so a stale instance cannot mislead the dispatch; the instance given
    is updated with the outcome. Errors CinetPay answers are in the result (``StepResult.error``), not
    raised.
    """
    pk = payout if isinstance(payout, int) else payout.pk
    fresh = PayoutRequest.objects.select_related("escrow__payment").get(pk=pk)
    client = client or get_transfer_client(fresh.backend)
    result = _advance(fresh, client, actor or Actor.job("process_payout"))
    if isinstance(payout, PayoutRequest):
        fresh_for_caller(payout, result.payout)
    return result


def _advance(payout: PayoutRequest, client: TransferBackend, actor: Actor) -> StepResult:
    """:func:`process_payout` for a payout just read from the database."""
    if payout.status == PayoutStatus.SENDING:
        payout = _mark_stale_sending_unknown(payout, actor) or payout
    if payout.status == PayoutStatus.PENDING:
        return _send(payout, client, actor)
    if payout.status == PayoutStatus.SUBMITTED:
        return _look_up(payout, client, actor)[0]
    if payout.status == PayoutStatus.UNKNOWN:
        result, known = _look_up(payout, client, actor)
        return result if known else _send(payout, client, actor)
    return StepResult(Step.WAITING, payout)


def payouts_to_process(limit: int) -> list[PayoutRequest]:
    """The payouts a job should move forward now, with what sending needs preloaded.

    Never-tried ones first, then the least recently tried, so payouts stuck on an error (no destination,
    a failing look-up) cannot keep the others out of a batch.
    """
    now = timezone.now()
    recheck_before = now - duration("CINETPAY_PAYOUT_CHECK_INTERVAL")
    stale_before = now - duration("CINETPAY_PAYOUT_SEND_STALE_AFTER")
    due = (
        Q(status__in=[PayoutStatus.PENDING, PayoutStatus.UNKNOWN])
        | Q(status=PayoutStatus.SENDING, send_started_at__lte=stale_before)
        | Q(status=PayoutStatus.SUBMITTED, last_checked_at__isnull=True)
        | Q(status=PayoutStatus.SUBMITTED, last_checked_at__lte=recheck_before)
    )
    return list(
        PayoutRequest.objects.filter(due)
        .select_related("escrow__payment")
        .order_by(F("last_checked_at").asc(nulls_first=True), "created_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class BatchReport:
    """What a job run did: one step per payout handled, and the error that stopped it early, if any."""

    steps: tuple[StepResult, ...]
    stopped_by: Exception | None = None

    def count(self, step: Step) -> int:
        return sum(1 for result in self.steps if result.step == step)


def process_payouts(
    *, client: TransferBackend | None = None, limit: int | None = None, actor: Actor | None = None
) -> BatchReport:
    """The payout job: move every due payout forward, through the shared client of each payout's API (one
    login per API for the batch), or ``client`` for all.

    Stops early when CinetPay cannot be used at all (network, credentials, balance), leaving the other
    payouts as they are for the next run.
    """
    actor = actor or Actor.job("process_payouts")
    batch = payouts_to_process(limit or settings.CINETPAY_JOB_BATCH_SIZE)
    if not batch:
        return BatchReport(())
    steps: list[StepResult] = []
    for payout in batch:
        result = _advance(payout, client or get_transfer_client(payout.backend), actor)
        steps.append(result)
        if result.stops_batch:
            logger.warning("Payout job stopped early: %s", result.error)
            return BatchReport(tuple(steps), result.error)
    return BatchReport(tuple(steps))
