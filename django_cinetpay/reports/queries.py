"""The report's figures, summed by the database: eight grouped queries, however many rows there are.

Each query groups by currency (and by status, day, method … as the figure needs) and returns one row per
group, so the work done in Python grows with the number of groups, never with the number of payments.
Days, weeks and months are cut in the site's time zone by the database itself (``Trunc`` with
``tzinfo``), which SQLite and PostgreSQL both do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DateTimeField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from ..client.vocabulary import KNOWN_CURRENCIES
from ..exceptions import InvalidInputError
from ..models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from ..states import PAYMENT_FAILED_STATES, EscrowStatus, PaymentStatus
from .figures import (
    DISPUTE_AGES,
    OPEN_ESCROW_STATES,
    OUTSTANDING_PAYOUT_STATES,
    Bucket,
    MethodLine,
    Reason,
    Report,
    Tally,
)
from .period import Period

#: The number of queries :func:`build_report` makes, whatever the number of rows (tests hold it to it).
QUERIES = 8
_ACCEPTED = Q(status=PaymentStatus.ACCEPTED)


def parse_currency(value: str | None) -> str:
    """A currency code a person typed, upper-cased; ``""`` for all currencies."""
    code = (value or "").strip().upper()
    if code and code not in KNOWN_CURRENCIES:
        raise InvalidInputError(
            _("Unknown currency %(code)r; use one of %(known)s.")
            % {"code": code, "known": ", ".join(KNOWN_CURRENCIES)}
        )
    return code


def build_report(period: Period, *, currency: str = "", now: dt.datetime | None = None) -> Report:
    """The figures of ``period`` (and the "now" figures at ``now``), for one currency or all of them."""
    now = now or timezone.now()
    report = Report(period, now)
    payments = CinetPayTransaction.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    escrows = EscrowTransaction.objects.all()
    payouts = PayoutRequest.objects.all()
    if currency:
        report.currency(currency)
        payments, escrows, payouts = (
            payments.filter(currency=currency),
            escrows.filter(currency=currency),
            payouts.filter(currency=currency),
        )
    _payments_by_status(report, payments)
    over_time = _payments_over_time(report.period, payments)
    _failure_reasons(report, payments)
    _payment_methods(report, payments)
    _open_escrows(report, escrows, now)
    _resolved_escrows(report, escrows.filter(resolved_at__gte=period.start, resolved_at__lt=period.end))
    _payouts_created(report, payouts.filter(created_at__gte=period.start, created_at__lt=period.end))
    _payouts_outstanding(report, payouts.current().filter(status__in=OUTSTANDING_PAYOUT_STATES))
    starts = report.period.buckets()
    for code, figures in report.currencies.items():
        found = over_time.get(code, {})
        figures.payments.buckets = [found.get(start, Bucket(start)) for start in starts]
    report.currencies = dict(sorted(report.currencies.items()))
    return report


def _grouped(queryset: QuerySet[Any], *fields: str, **aggregates: Any) -> QuerySet[Any]:
    """One row per group of ``fields`` with ``aggregates``; no ordering (so no ordering column in the
    GROUP BY)."""
    return queryset.values(*fields).annotate(**aggregates).order_by()


def _tally(row: dict[str, Any], count: str = "rows", amount: str = "money") -> Tally:
    return Tally(int(row[count] or 0), int(row[amount] or 0))


def _payments_by_status(report: Report, payments: QuerySet[CinetPayTransaction]) -> None:
    rows = _grouped(
        payments,
        "currency",
        "status",
        rows=Count("pk"),
        money=Sum("amount"),
        started=Count("pk", filter=Q(checkout_started_at__isnull=False)),
    )
    for row in rows:
        figures = report.currency(row["currency"]).payments
        figures.by_status[row["status"]] = _tally(row)
        figures.started += row["started"]
        if row["status"] == PaymentStatus.ACCEPTED:
            figures.accepted_of_started = row["started"]


def _payments_over_time(
    period: Period, payments: QuerySet[CinetPayTransaction]
) -> dict[str, dict[dt.date, Bucket]]:
    """The non-empty buckets of each currency, by their first day (the others are zeros)."""
    zone = timezone.get_current_timezone()
    bucket = Trunc("created_at", period.granularity, output_field=DateTimeField(), tzinfo=zone)
    rows = _grouped(
        payments.annotate(bucket=bucket),
        "currency",
        "bucket",
        rows=Count("pk"),
        money=Sum("amount"),
        accepted=Count("pk", filter=_ACCEPTED),
        accepted_amount=Sum("amount", filter=_ACCEPTED),
    )
    found: dict[str, dict[dt.date, Bucket]] = {}
    for row in rows:
        day = timezone.localtime(row["bucket"], zone).date()
        found.setdefault(row["currency"], {})[day] = Bucket(
            day, _tally(row), _tally(row, "accepted", "accepted_amount")
        )
    return found


def _failure_reasons(report: Report, payments: QuerySet[CinetPayTransaction]) -> None:
    rows = _grouped(
        payments.filter(status__in=PAYMENT_FAILED_STATES),
        "currency",
        "status",
        "cinetpay_code",
        rows=Count("pk"),
        message=Max("cinetpay_message"),
    )
    for row in rows:
        reason = Reason(row["status"], row["cinetpay_code"], row["message"] or "", row["rows"])
        report.currency(row["currency"]).payments.reasons.append(reason)
    for figures in report.currencies.values():
        figures.payments.reasons.sort(key=lambda r: (-r.count, r.status, r.code))


def _payment_methods(report: Report, payments: QuerySet[CinetPayTransaction]) -> None:
    rows = _grouped(
        payments.filter(_ACCEPTED), "currency", "payment_method", rows=Count("pk"), money=Sum("amount")
    )
    for row in rows:
        line = MethodLine(row["payment_method"], _tally(row))
        report.currency(row["currency"]).payments.methods.append(line)
    for figures in report.currencies.values():
        figures.payments.methods.sort(key=lambda m: (-m.tally.amount, -m.tally.count, m.method))


def _open_escrows(report: Report, escrows: QuerySet[EscrowTransaction], now: dt.datetime) -> None:
    disputed = Q(status=EscrowStatus.DISPUTED)
    ages = {}
    for index, (key, days) in enumerate(DISPUTE_AGES):
        condition = disputed & Q(disputed_at__lte=now - dt.timedelta(days=days))
        if index + 1 < len(DISPUTE_AGES):
            condition &= Q(disputed_at__gt=now - dt.timedelta(days=DISPUTE_AGES[index + 1][1]))
        ages[f"age_{key}"] = Count("pk", filter=condition)
    rows = _grouped(
        escrows.filter(status__in=OPEN_ESCROW_STATES),
        "currency",
        "status",
        rows=Count("pk"),
        money=Sum("amount"),
        oldest=Min("disputed_at", filter=disputed),
        **ages,
    )
    for row in rows:
        figures = report.currency(row["currency"]).escrows
        figures.open_by_status[row["status"]] = _tally(row)
        for key, _days in DISPUTE_AGES:
            figures.disputes_by_age[key] += row[f"age_{key}"]
        if row["oldest"] is not None:
            figures.oldest_dispute = row["oldest"]


def _resolved_escrows(report: Report, escrows: QuerySet[EscrowTransaction]) -> None:
    duplicate = Q(payment__duplicate_of__isnull=False)
    rows = _grouped(
        escrows.filter(status__in=[EscrowStatus.RELEASED, EscrowStatus.REFUNDED]),
        "currency",
        "status",
        rows=Count("pk"),
        money=Sum("amount"),
        commission_sum=Sum("commission"),
        duplicates=Count("pk", filter=duplicate),
        duplicates_amount=Sum("amount", filter=duplicate),
    )
    for row in rows:
        figures = report.currency(row["currency"]).escrows
        if row["status"] == EscrowStatus.RELEASED:
            figures.released = _tally(row)
            figures.commission = int(row["commission_sum"] or 0)
        else:
            figures.refunded = _tally(row)
            figures.duplicates_refunded = _tally(row, "duplicates", "duplicates_amount")


def _payouts_created(report: Report, payouts: QuerySet[PayoutRequest]) -> None:
    rows = _grouped(payouts, "currency", "kind", "status", rows=Count("pk"), money=Sum("amount"))
    for row in rows:
        report.currency(row["currency"]).payouts.created[row["kind"]][row["status"]] = _tally(row)


def _payouts_outstanding(report: Report, payouts: QuerySet[PayoutRequest]) -> None:
    rows = _grouped(
        payouts,
        "currency",
        "status",
        rows=Count("pk"),
        money=Sum("amount"),
        review=Count("pk", filter=Q(needs_review=True)),
    )
    for row in rows:
        figures = report.currency(row["currency"]).payouts
        figures.outstanding[row["status"]] = _tally(row)
        figures.needs_review += row["review"]
