"""A report as JSON (nested, for programs), as rows (for CSV and the command's table) and as text.

JSON and CSV carry codes (``accepted``, ``OM``) and integer amounts, never formatted text, so a program or
a spreadsheet can sum them; the CSV adds a ``label`` column for people, in the active language. The JSON
shape is documented in the README ("cinetpay_report") and held by tests/reports/test_serialise.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..exports import Column
from ..formatting import money
from . import labels
from .figures import CurrencyFigures, Report, Tally


def _tally(tally: Tally) -> dict[str, int]:
    return {"count": tally.count, "amount": tally.amount}


def _instant(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _by_currency(report: Report, part: Any) -> dict[str, Any]:
    return {code: part(figures) for code, figures in report.currencies.items()}


def _payments(figures: CurrencyFigures) -> dict[str, Any]:
    payments = figures.payments
    return {
        "created": _tally(payments.created),
        "by_status": {status: _tally(t) for status, t in payments.by_status.items()},
        "started": payments.started,
        "accepted_of_started": payments.accepted_of_started,
        "conversion": None if payments.conversion is None else round(payments.conversion, 4),
        "over_time": [
            {"start": b.start.isoformat(), "created": _tally(b.created), "accepted": _tally(b.accepted)}
            for b in payments.buckets
        ],
        "failure_reasons": [
            {"status": r.status, "code": r.code, "message": r.message, "count": r.count}
            for r in payments.reasons
        ],
        "methods": [{"method": m.method, **_tally(m.tally)} for m in payments.methods],
    }


def _escrows(figures: CurrencyFigures) -> dict[str, Any]:
    escrows = figures.escrows
    return {
        "held": _tally(escrows.held),
        "open_by_status": {status: _tally(t) for status, t in escrows.open_by_status.items()},
        "open_disputes": escrows.open_disputes,
        "disputes_by_age": dict(escrows.disputes_by_age),
        "oldest_dispute": _instant(escrows.oldest_dispute),
        "released": _tally(escrows.released),
        "refunded": _tally(escrows.refunded),
        "duplicates_refunded": _tally(escrows.duplicates_refunded),
    }


def _payouts(figures: CurrencyFigures) -> dict[str, Any]:
    payouts = figures.payouts
    return {
        "created": {
            kind: {status: _tally(t) for status, t in by_status.items()}
            for kind, by_status in payouts.created.items()
        },
        "outstanding": {status: _tally(t) for status, t in payouts.outstanding.items()},
        "needs_review": payouts.needs_review,
    }


def to_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data: top-level keys ``period``, ``generated_at``, ``currencies``,
    ``payments``, ``escrows``, ``payouts``, ``refunds`` and ``commission``; each figure keyed by currency."""
    period = report.period
    return {
        "period": {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "granularity": period.granularity,
            "time_zone": timezone.get_current_timezone_name(),
        },
        "generated_at": _instant(report.generated_at),
        "currencies": list(report.currencies),
        "payments": _by_currency(report, _payments),
        "escrows": _by_currency(report, _escrows),
        "payouts": _by_currency(report, _payouts),
        "refunds": _by_currency(report, lambda f: _tally(f.escrows.refunded)),
        "commission": _by_currency(report, lambda f: f.escrows.commission),
    }


@dataclass(frozen=True)
class Row:
    """One figure: where it belongs (``section``, ``currency``), what it is (``key``, a code; ``label``,
    its name for people) and its count and amount (``None`` where a figure has no such thing)."""

    section: str
    currency: str
    key: str
    label: str
    count: int | None
    amount: int | None


#: The CSV's columns (the same for the admin's download and ``cinetpay_report --format csv``), written by
#: :mod:`django_cinetpay.exports`, which keeps a label from running as a spreadsheet formula.
CSV_COLUMNS = tuple(
    Column(name, attrgetter(name)) for name in ("section", "currency", "key", "label", "count", "amount")
)


def _currency_rows(figures: CurrencyFigures) -> list[Row]:
    code, payments, escrows, payouts = figures.currency, figures.payments, figures.escrows, figures.payouts

    def row(section: str, key: str, label: str, tally: Tally | None = None, count: int | None = None) -> Row:
        if tally is not None:
            return Row(section, code, key, label, tally.count, tally.amount)
        return Row(section, code, key, label, count, None)

    rows = [row("payments", "created", _("Payments created"), payments.created)]
    rows += [row("payments.status", s, labels.payment_status(s), t) for s, t in payments.by_status.items()]
    rows += [
        row("payments.conversion", "started", _("Checkouts started"), count=payments.started),
        row("payments.conversion", "accepted", _("Of which accepted"), count=payments.accepted_of_started),
    ]
    for bucket in payments.buckets:
        day = bucket.start.isoformat()
        rows.append(row("payments.over_time.created", day, day, bucket.created))
        rows.append(row("payments.over_time.accepted", day, day, bucket.accepted))
    rows += [
        row(f"payments.failures.{r.status}", r.code, labels.reason(r), count=r.count)
        for r in payments.reasons
    ]
    rows += [row("payments.methods", m.method, labels.method(m.method), m.tally) for m in payments.methods]
    rows.append(row("escrows", "held", _("Held in escrow now"), escrows.held))
    rows += [row("escrows.open", s, labels.escrow_status(s), t) for s, t in escrows.open_by_status.items()]
    rows += [
        row("escrows.disputes_by_age", key, str(labels.DISPUTE_AGE_LABELS[key]), count=n)
        for key, n in escrows.disputes_by_age.items()
    ]
    rows += [
        row("escrows.resolved", "released", _("Released to sellers"), escrows.released),
        row("escrows.resolved", "refunded", _("Refunded to buyers"), escrows.refunded),
        row(
            "escrows.resolved",
            "duplicates_refunded",
            _("Duplicate payments refunded"),
            escrows.duplicates_refunded,
        ),
        Row("commission", code, "commission", _("Commission earned"), None, escrows.commission),
    ]
    for kind, by_status in payouts.created.items():
        rows += [
            row(f"payouts.created.{kind}", s, f"{labels.payout_kind(kind)}: {labels.payout_status(s)}", t)
            for s, t in by_status.items()
        ]
    rows += [
        row("payouts.outstanding", s, labels.payout_status(s), t) for s, t in payouts.outstanding.items()
    ]
    rows.append(
        row("payouts.outstanding", "needs_review", _("Failed, yet reported sent"), count=payouts.needs_review)
    )
    return rows


def to_rows(report: Report) -> list[Row]:
    """Every figure of the report as a row, currency after currency."""
    return [row for figures in report.currencies.values() for row in _currency_rows(figures)]


def to_text(report: Report) -> str:
    """The report as an aligned text table, for a terminal or a cron e-mail: amounts grouped by thousands."""
    period = report.period
    lines = [
        _("CinetPay report, %(since)s to %(until)s (%(grouping)s, %(zone)s)")
        % {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "grouping": labels.GRANULARITY_LABELS[period.granularity],
            "zone": timezone.get_current_timezone_name(),
        }
    ]
    if not report.currencies:
        lines.append(_("Nothing to report in this period."))
    rows = to_rows(report)
    width = max((len(r.label) for r in rows), default=0) + 2
    currency = section = ""
    for r in rows:
        if r.currency != currency:
            currency, section = r.currency, ""
            lines += ["", currency]
        if r.section != section:
            section = r.section
            lines.append(f"  {section}")
        count = "" if r.count is None else str(r.count)
        amount = "" if r.amount is None else money(r.amount, r.currency)
        lines.append(f"    {r.label:<{width}}{count:>8}  {amount:>18}".rstrip())
    return "\n".join(lines) + "\n"
