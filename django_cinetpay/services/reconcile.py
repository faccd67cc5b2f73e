"""The money invariants, proved over the whole database: one implementation for the reconcile command,
the reconcile task and the test suite.

Each ``check_*`` function is one invariant and yields a :class:`Discrepancy` per row that breaks it.
Queries are set-based (one per invariant, however many rows), so reconciling a large database stays cheap.
:func:`needs_attention` lists what is consistent but waits for people (failed payouts not retried, payouts
without a destination, transfers whose outcome is unknown); it is not a discrepancy. A failed payout that
CinetPay reports as sent is a discrepancy, never something to retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Mod
from django.utils import timezone

from ..client.vocabulary import CURRENCY_PHONE_PREFIXES
from ..conf import duration
from ..models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from ..phones import InvalidPhoneNumber, parse_phone
from ..states import ESCROW_OPEN_STATES, EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus
from .destinations import unusable_destination_error


@dataclass(frozen=True)
class Discrepancy:
    """One broken invariant on one object."""

    invariant: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.invariant}] {self.subject}: {self.detail}"


def _payment(tx: CinetPayTransaction) -> str:
    return f"payment {tx.transaction_id}"


def _escrow(escrow: EscrowTransaction) -> str:
    return f"escrow #{escrow.pk} (payment {escrow.payment.transaction_id})"


def _payout(payout: PayoutRequest) -> str:
    return f"{payout.get_kind_display().lower()} {payout.client_transaction_id} (escrow #{payout.escrow_id})"


def check_accepted_payments_have_escrows() -> Iterator[Discrepancy]:
    """Every accepted payment holds its money in exactly one escrow."""
    for tx in CinetPayTransaction.objects.filter(status=PaymentStatus.ACCEPTED, escrow__isnull=True):
        yield Discrepancy("payment-without-escrow", _payment(tx), "accepted, but no escrow holds its money")


def check_escrows_match_payments() -> Iterator[Discrepancy]:
    """An escrow belongs to an accepted payment and holds exactly its amount and currency."""
    rows = EscrowTransaction.objects.select_related("payment").filter(
        ~Q(payment__status=PaymentStatus.ACCEPTED)
        | ~Q(amount=F("payment__amount"))
        | ~Q(currency=F("payment__currency"))
    )
    for escrow in rows:
        yield Discrepancy(
            "escrow-payment-mismatch",
            _escrow(escrow),
            f"holds {escrow.amount} {escrow.currency}; the payment is {escrow.payment.status}, "
            f"{escrow.payment.amount} {escrow.payment.currency}",
        )


def check_escrow_amounts() -> Iterator[Discrepancy]:
    """``amount == commission + seller_amount`` and ``seller_amount`` is a multiple of 5."""
    rows = (
        EscrowTransaction.objects.select_related("payment")
        .annotate(seller_rest=Mod("seller_amount", 5))
        .filter(~Q(amount=F("commission") + F("seller_amount")) | ~Q(seller_rest=0))
    )
    for escrow in rows:
        yield Discrepancy(
            "escrow-split",
            _escrow(escrow),
            f"amount {escrow.amount} != commission {escrow.commission} + seller amount "
            f"{escrow.seller_amount}, or the seller amount is not a multiple of 5",
        )


def _current(kind: str) -> Count:
    return Count("payouts", filter=Q(payouts__kind=kind, payouts__retried_by__isnull=True))


def check_resolved_escrows_have_one_payout() -> Iterator[Discrepancy]:
    """A released escrow has exactly one current seller payout (none if ``seller_amount`` is 0) and no
    refund; a refunded one exactly one current refund and no seller payout; an open one no payout.

    "Current" means not replaced by a staff retry, so a retried failure still counts once.
    """
    rows = (
        EscrowTransaction.objects.select_related("payment")
        .annotate(sellers=_current(PayoutKind.SELLER_PAYOUT), refunds=_current(PayoutKind.REFUND))
        .filter(
            Q(status=EscrowStatus.RELEASED, seller_amount__gt=0) & ~Q(sellers=1)
            | Q(status=EscrowStatus.RELEASED, seller_amount=0) & ~Q(sellers=0)
            | Q(status=EscrowStatus.RELEASED) & ~Q(refunds=0)
            | Q(status=EscrowStatus.REFUNDED) & (~Q(refunds=1) | ~Q(sellers=0))
            | Q(status__in=ESCROW_OPEN_STATES) & (~Q(sellers=0) | ~Q(refunds=0))
        )
    )
    for escrow in rows:
        yield Discrepancy(
            "escrow-payouts",
            _escrow(escrow),
            f"{escrow.status} with {escrow.sellers} current seller payout(s) and {escrow.refunds} refund(s)",
        )


def check_payouts_match_escrows() -> Iterator[Discrepancy]:
    """A payout pays what its resolved escrow owes: seller payouts ``seller_amount`` of a released escrow,
    refunds ``amount`` of a refunded one, in the escrow's currency."""
    rows = PayoutRequest.objects.select_related("escrow__payment").filter(
        Q(kind=PayoutKind.SELLER_PAYOUT)
        & (~Q(escrow__status=EscrowStatus.RELEASED) | ~Q(amount=F("escrow__seller_amount")))
        | Q(kind=PayoutKind.REFUND)
        & (~Q(escrow__status=EscrowStatus.REFUNDED) | ~Q(amount=F("escrow__amount")))
        | ~Q(currency=F("escrow__currency"))
    )
    for payout in rows:
        yield Discrepancy(
            "payout-escrow-mismatch",
            _payout(payout),
            f"{payout.amount} {payout.currency} for an escrow that is {payout.escrow.status} "
            f"(amount {payout.escrow.amount}, seller amount {payout.escrow.seller_amount})",
        )


def check_payout_retries() -> Iterator[Discrepancy]:
    """A retry replaces a *failed* payout of the same escrow, kind and amount."""
    rows = PayoutRequest.objects.select_related("retry_of").filter(
        ~Q(retry_of__status=PayoutStatus.FAILED)
        | ~Q(retry_of__escrow=F("escrow"))
        | ~Q(retry_of__kind=F("kind"))
        | ~Q(retry_of__amount=F("amount")),
        retry_of__isnull=False,
    )
    for payout in rows:
        yield Discrepancy(
            "payout-retry", _payout(payout), f"retries {payout.retry_of}, which it may not replace"
        )


def check_failed_payouts_were_not_sent() -> Iterator[Discrepancy]:
    """A failed payout moved no money: CinetPay reports no transfer in progress or done for it.

    One it does report is flagged ``needs_review`` (``failed`` is final, so its status stays): the money
    may have left while the books say it did not, and a retry may pay twice. It is never to be retried.
    """
    flagged = PayoutRequest.objects.filter(status=PayoutStatus.FAILED, needs_review=True)
    for payout in flagged.select_related("retried_by"):
        retried = " and was retried: the money may have gone twice" if hasattr(payout, "retried_by") else ""
        yield Discrepancy(
            "failed-payout-sent",
            _payout(payout),
            f"failed, but CinetPay reports its transfer as {payout.treatment_status or 'existing'}"
            f"{retried}; do not retry it, check the CinetPay back-office",
        )


def check_money_sent_once() -> Iterator[Discrepancy]:
    """At most one active and at most one completed payout per escrow and kind: money never goes twice."""
    groups = (
        PayoutRequest.objects.values("escrow_id", "kind")
        .annotate(
            active=Count("pk", filter=~Q(status=PayoutStatus.FAILED)),
            completed=Count("pk", filter=Q(status=PayoutStatus.COMPLETED)),
        )
        .filter(Q(active__gt=1) | Q(completed__gt=1))
        .order_by("escrow_id", "kind")
    )
    for group in groups:
        yield Discrepancy(
            "money-sent-twice",
            f"escrow #{group['escrow_id']} {group['kind']}",
            f"{group['active']} active and {group['completed']} completed payouts",
        )


def check_duplicate_payments_resolved() -> Iterator[Discrepancy]:
    """A duplicate payment's money went back to its payer (or staff decided): its escrow is not open."""
    rows = CinetPayTransaction.objects.select_related("duplicate_of", "escrow").filter(
        duplicate_of__isnull=False, escrow__status__in=ESCROW_OPEN_STATES
    )
    for tx in rows:
        original = tx.duplicate_of.transaction_id if tx.duplicate_of else ""
        yield Discrepancy(
            "duplicate-payment",
            _payment(tx),
            f"pays again the order already paid by {original}; its "
            f"{tx.amount} {tx.currency} are {tx.escrow.status}: refund the buyer",
        )


def check_stored_phone_numbers() -> Iterator[Discrepancy]:
    """Money only goes to numbers that parse: every number a payout may still be sent to is valid.

    Payouts not finished sending (``pending``, ``sending``, ``unknown``) are sent to their stored number
    as it is, so it must be a valid mobile number in the stored form (calling code, national number);
    rows from before numbers were parsed may hold ``2250707070707`` under ``225``. An accepted payment
    whose escrow is still open may be refunded to its payer's number, which must parse in the country
    of its prefix (else of its currency). Numbers are masked in the report.
    """
    payouts = PayoutRequest.objects.filter(
        status__in=[PayoutStatus.PENDING, PayoutStatus.SENDING, PayoutStatus.UNKNOWN]
    ).exclude(phone="")
    for payout in payouts:
        if unusable_destination_error(payout):
            yield Discrepancy(
                "unparseable-phone",
                _payout(payout),
                f"{payout.status}, to {payout.prefix} {payout.masked_phone}, which is not a valid mobile "
                "number in the stored form: set its destination again",
            )
    payers = CinetPayTransaction.objects.filter(
        status=PaymentStatus.ACCEPTED, escrow__status__in=ESCROW_OPEN_STATES
    ).exclude(payer_phone="")
    for tx in payers:
        prefix = tx.payer_phone_prefix or CURRENCY_PHONE_PREFIXES.get(tx.currency, "")
        try:
            parse_phone(tx.payer_phone, prefix=prefix or None)
        except InvalidPhoneNumber:
            yield Discrepancy(
                "unparseable-phone",
                _payment(tx),
                f"paid from {prefix or '?'} {tx.masked_payer_phone}, which is not a valid mobile number: "
                "a refund would have nowhere to go until staff set its destination",
            )


@dataclass(frozen=True)
class CurrencyTotals:
    """Sums for one currency, in its unit. ``escrowed == held + released + refunded`` must hold."""

    currency: str
    paid_in: int = 0  # accepted payments
    escrowed: int = 0
    held: int = 0  # escrows not resolved yet
    released: int = 0  # whole amounts of released escrows (commission included)
    commission: int = 0  # the marketplace's share of released escrows
    refunded: int = 0
    paid_out: int = 0  # completed payouts and refunds
    in_flight: int = 0  # payouts sent or being sent, not finished

    @property
    def owed_out(self) -> int:
        """What payouts and refunds must carry in total: sellers' shares plus refunds."""
        return self.released - self.commission + self.refunded


def _sum_by_currency(queryset: QuerySet[Any], column: str) -> dict[str, int]:
    rows = queryset.values("currency").annotate(total=Sum(column)).order_by("currency")
    return {row["currency"]: int(row["total"] or 0) for row in rows}


def totals() -> dict[str, CurrencyTotals]:
    """Per-currency sums over payments, escrows and payouts (one aggregate query per figure)."""
    escrows = EscrowTransaction.objects.all()
    released = escrows.filter(status=EscrowStatus.RELEASED)
    in_flight = [PayoutStatus.SENDING, PayoutStatus.SUBMITTED, PayoutStatus.UNKNOWN]
    sums = {
        "paid_in": _sum_by_currency(
            CinetPayTransaction.objects.filter(status=PaymentStatus.ACCEPTED), "amount"
        ),
        "escrowed": _sum_by_currency(escrows, "amount"),
        "held": _sum_by_currency(escrows.filter(status__in=ESCROW_OPEN_STATES), "amount"),
        "released": _sum_by_currency(released, "amount"),
        "commission": _sum_by_currency(released, "commission"),
        "refunded": _sum_by_currency(escrows.filter(status=EscrowStatus.REFUNDED), "amount"),
        "paid_out": _sum_by_currency(PayoutRequest.objects.filter(status=PayoutStatus.COMPLETED), "amount"),
        "in_flight": _sum_by_currency(PayoutRequest.objects.filter(status__in=in_flight), "amount"),
    }
    currencies = sorted(set().union(*sums.values()))
    return {
        c: CurrencyTotals(c, **{name: values.get(c, 0) for name, values in sums.items()}) for c in currencies
    }


def check_totals() -> Iterator[Discrepancy]:
    """Per currency: money paid in is all escrowed, and every escrowed franc is held, released or refunded."""
    for entry in totals().values():
        if entry.paid_in != entry.escrowed:
            yield Discrepancy(
                "totals", entry.currency, f"paid in {entry.paid_in} but escrowed {entry.escrowed}"
            )
        if entry.escrowed != entry.held + entry.released + entry.refunded:
            yield Discrepancy(
                "totals",
                entry.currency,
                f"escrowed {entry.escrowed} != held {entry.held} + released {entry.released} "
                f"+ refunded {entry.refunded}",
            )
        if entry.paid_out > entry.owed_out:
            yield Discrepancy(
                "totals", entry.currency, f"paid out {entry.paid_out}, more than owed {entry.owed_out}"
            )


#: Every invariant, in the order the report lists them.
INVARIANTS: tuple[Callable[[], Iterator[Discrepancy]], ...] = (
    check_accepted_payments_have_escrows,
    check_escrows_match_payments,
    check_escrow_amounts,
    check_resolved_escrows_have_one_payout,
    check_payouts_match_escrows,
    check_payout_retries,
    check_failed_payouts_were_not_sent,
    check_money_sent_once,
    check_stored_phone_numbers,
    check_duplicate_payments_resolved,
    check_totals,
)


def find_discrepancies() -> list[Discrepancy]:
    """Every broken invariant in the database; empty when the books balance."""
    return [discrepancy for invariant in INVARIANTS for discrepancy in invariant()]


def needs_attention() -> list[str]:
    """Consistent but waiting for people: what no job will settle alone.

    Payouts failed and not retried, payouts stuck with an error (no destination, a currency CinetPay
    would pay wrongly), payouts whose outcome has been unknown for ``CINETPAY_PAYOUT_UNKNOWN_ALERT_AFTER``
    (the look-ups go on, but someone should check the back-office), and payments CinetPay reported paid
    for another amount or currency (flagged ``needs_review``, never marked paid). A failed payout
    CinetPay reports as sent is not listed here with "retry it": it is a discrepancy
    (:func:`check_failed_payouts_were_not_sent`).
    """
    unknown_since = timezone.now() - duration("CINETPAY_PAYOUT_UNKNOWN_ALERT_AFTER")
    current_failed = PayoutRequest.objects.current().filter(status=PayoutStatus.FAILED, needs_review=False)
    stuck = PayoutRequest.objects.exclude(
        status__in=[PayoutStatus.COMPLETED, PayoutStatus.FAILED, PayoutStatus.UNKNOWN]
    ).exclude(last_error="")
    long_unknown = PayoutRequest.objects.filter(
        Q(send_started_at__lte=unknown_since)
        | Q(send_started_at__isnull=True, created_at__lte=unknown_since),
        status=PayoutStatus.UNKNOWN,
    )
    flagged = CinetPayTransaction.objects.filter(needs_review=True).exclude(status=PaymentStatus.ACCEPTED)
    lines = [
        f"{_payout(p)}: failed ({p.last_error or p.cinetpay_code + ' ' + p.cinetpay_message}); "
        "retry it once the cause is fixed"
        for p in current_failed
    ]
    lines += [f"{_payout(p)}: {p.status}: {p.last_error}" for p in stuck]
    lines += [
        f"{_payout(p)}: outcome unknown since {p.send_started_at or p.created_at:%Y-%m-%d %H:%M} UTC "
        f"({p.last_error or 'send interrupted'}); check the transfer in the CinetPay back-office"
        for p in long_unknown
    ]
    lines += [f"{_payment(tx)}: needs review: {tx.review_reason}" for tx in flagged]
    return lines
