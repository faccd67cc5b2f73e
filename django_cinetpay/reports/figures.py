"""The figures of a report, as plain data: what the dashboard draws, the downloads and the command print.

Amounts are integers in their currency's unit, never summed across currencies. "Now" figures (money held,
open disputes, payouts waiting) describe the database as it is; the others count what happened in the
period: payments *created* in it, escrows *resolved* in it, payouts *created* in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..states import ESCROW_OPEN_STATES, EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus
from .period import Period

#: Open disputes by how long they have been open, as (key, lower bound in days), youngest first.
DISPUTE_AGES: tuple[tuple[str, int], ...] = (
    ("under_1_day", 0),
    ("1_to_3_days", 1),
    ("3_to_7_days", 3),
    ("over_7_days", 7),
)
#: Payout statuses that wait for something (a job, CinetPay, a person), in the order they are shown.
OUTSTANDING_PAYOUT_STATES: tuple[str, ...] = (
    PayoutStatus.PENDING,
    PayoutStatus.SENDING,
    PayoutStatus.SUBMITTED,
    PayoutStatus.UNKNOWN,
    PayoutStatus.FAILED,
)
OPEN_ESCROW_STATES: tuple[str, ...] = tuple(s for s in EscrowStatus if s in ESCROW_OPEN_STATES)


@dataclass(frozen=True)
class Tally:
    """How many, and how much money."""

    count: int = 0
    amount: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.amount + other.amount)


def total(tallies: Iterable[Tally]) -> Tally:
    """The sum of some tallies."""
    return sum(tallies, Tally())


@dataclass(frozen=True)
class Bucket:
    """One day, week or month: the payments created in it, and those of them CinetPay accepted."""

    start: dt.date
    created: Tally = Tally()
    accepted: Tally = Tally()


@dataclass(frozen=True)
class Reason:
    """Why payments failed: CinetPay's code for them, with their status (refused, cancelled, expired)."""

    status: str
    code: str
    message: str
    count: int


@dataclass(frozen=True)
class MethodLine:
    """Accepted payments by the method they were paid with (``OM``, ``MOMO`` … ``""`` when unknown)."""

    method: str
    tally: Tally


@dataclass
class PaymentFigures:
    """The payments created in the period."""

    by_status: dict[str, Tally] = field(default_factory=lambda: {s: Tally() for s in PaymentStatus})
    #: Payments whose buyer reached CinetPay's checkout, and how many of those were accepted.
    started: int = 0
    accepted_of_started: int = 0
    buckets: list[Bucket] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    methods: list[MethodLine] = field(default_factory=list)

    @property
    def created(self) -> Tally:
        return total(self.by_status.values())

    @property
    def conversion(self) -> float | None:
        """Accepted / started, from 0 to 1; ``None`` when no checkout started."""
        return self.accepted_of_started / self.started if self.started else None


@dataclass
class EscrowFigures:
    """Money held now (open escrows, disputes) and escrows resolved in the period."""

    open_by_status: dict[str, Tally] = field(default_factory=lambda: {s: Tally() for s in OPEN_ESCROW_STATES})
    disputes_by_age: dict[str, int] = field(default_factory=lambda: {key: 0 for key, _ in DISPUTE_AGES})
    oldest_dispute: dt.datetime | None = None
    released: Tally = Tally()
    refunded: Tally = Tally()
    #: Refunded escrows of duplicate payments (a second payment of an order already paid).
    duplicates_refunded: Tally = Tally()
    #: The marketplace's share of the escrows released in the period.
    commission: int = 0

    @property
    def held(self) -> Tally:
        return total(self.open_by_status.values())

    @property
    def open_disputes(self) -> int:
        return self.open_by_status[EscrowStatus.DISPUTED].count


@dataclass
class PayoutFigures:
    """Payouts created in the period by kind and status, and payouts waiting now."""

    created: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: {kind: {s: Tally() for s in PayoutStatus} for kind in PayoutKind}
    )
    #: Current payouts (not replaced by a retry) not completed, whenever they were created.
    outstanding: dict[str, Tally] = field(
        default_factory=lambda: {s: Tally() for s in OUTSTANDING_PAYOUT_STATES}
    )
    #: Failed payouts CinetPay reports as sent: never to be retried, to be checked in its back-office.
    needs_review: int = 0


@dataclass
class CurrencyFigures:
    """Everything a report says about one currency."""

    currency: str
    payments: PaymentFigures = field(default_factory=PaymentFigures)
    escrows: EscrowFigures = field(default_factory=EscrowFigures)
    payouts: PayoutFigures = field(default_factory=PayoutFigures)


@dataclass
class Report:
    """A report: its period, when it was computed, and its figures by currency (sorted by code)."""

    period: Period
    generated_at: dt.datetime
    currencies: dict[str, CurrencyFigures] = field(default_factory=dict)

    def currency(self, code: str) -> CurrencyFigures:
        """The figures of ``code``, created empty on first use."""
        if code not in self.currencies:
            self.currencies[code] = CurrencyFigures(code)
        return self.currencies[code]
