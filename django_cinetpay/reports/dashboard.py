"""What the dashboard shows of a report, ready for its template: figures formatted for the active language
(``15 000 XOF`` in French), names for people, charts drawn. No query here: it reads a :class:`Report`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from ..formatting import money
from ..states import PaymentStatus, PayoutStatus
from . import charts, labels
from .figures import Bucket, CurrencyFigures, Tally
from .period import Period


@dataclass(frozen=True)
class Card:
    """A headline figure: its name, its value, a line of context, and whether it asks for attention."""

    label: str
    value: str
    detail: str = ""
    attention: bool = False


@dataclass(frozen=True)
class Line:
    """A row of a table: a name, a count, an amount (formatted) and a bar for the eye."""

    label: str
    count: int | None
    amount: str
    bar: SafeString


@dataclass(frozen=True)
class Table:
    title: str
    lines: list[Line]
    #: What the table's bars measure: "count" or "amount".
    measure: str = "count"


@dataclass
class CurrencyView:
    code: str
    cards: list[Card] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _table(title: str, rows: Iterable[tuple[str, Tally]], currency: str, *, by_amount: bool = False) -> Table:
    """A table of ``rows`` (name, tally), its bars proportional to the counts (or the amounts)."""
    rows = list(rows)
    measure = (lambda t: t.amount) if by_amount else (lambda t: t.count)
    largest = max((measure(t) for _, t in rows), default=0)
    lines = [
        Line(label, t.count, money(t.amount, currency), charts.bar(measure(t), largest)) for label, t in rows
    ]
    return Table(title, lines, "amount" if by_amount else "count")


def _counts(title: str, rows: Iterable[tuple[str, int]]) -> Table:
    rows = list(rows)
    largest = max((n for _, n in rows), default=0)
    return Table(title, [Line(label, n, "", charts.bar(n, largest)) for label, n in rows])


def _bucket_label(start: dt.date, granularity: str) -> str:
    return formats.date_format(start, "M Y" if granularity == "month" else "j M")


def _time_charts(code: str, buckets: list[Bucket], period: Period) -> list[SafeString]:
    def title(b: Bucket) -> str:
        return _(
            "%(when)s: %(created)s created (%(created_amount)s), %(accepted)s accepted (%(accepted_amount)s)"
        ) % {
            "when": formats.date_format(b.start, "DATE_FORMAT"),
            "created": b.created.count,
            "created_amount": money(b.created.amount, code),
            "accepted": b.accepted.count,
            "accepted_amount": money(b.accepted.amount, code),
        }

    grouping = labels.GRANULARITY_LABELS[period.granularity]
    volume = [
        charts.Point(
            _bucket_label(b.start, period.granularity), b.created.amount, b.accepted.amount, title(b)
        )
        for b in buckets
    ]
    number = [
        charts.Point(p.label, b.created.count, b.accepted.count, p.title)
        for p, b in zip(volume, buckets, strict=True)
    ]
    common = {
        "total_label": pgettext("chart legend", "all"),
        "part_label": pgettext("chart legend", "accepted"),
    }
    return [
        charts.columns(
            volume,
            title=_("Payment volume, %(grouping)s (%(currency)s)") % {"grouping": grouping, "currency": code},
            description=_("Amount of the payments created, and of those accepted."),
            axis=lambda v: money(v, code),
            chart_id=f"cp-volume-{code}",
            **common,
        ),
        charts.columns(
            number,
            title=_("Number of payments, %(grouping)s") % {"grouping": grouping},
            description=_("Payments created, and those accepted."),
            axis=lambda v: formats.number_format(v, force_grouping=True),
            chart_id=f"cp-count-{code}",
            **common,
        ),
    ]


def _cards(figures: CurrencyFigures, now: dt.datetime) -> list[Card]:
    code, payments, escrows, payouts = figures.currency, figures.payments, figures.escrows, figures.payouts
    accepted = payments.by_status[PaymentStatus.ACCEPTED]
    conversion = payments.conversion
    oldest = escrows.oldest_dispute
    waiting = sum(
        (
            payouts.outstanding[s]
            for s in (PayoutStatus.PENDING, PayoutStatus.SENDING, PayoutStatus.SUBMITTED)
        ),
        Tally(),
    )
    unknown, failed = payouts.outstanding[PayoutStatus.UNKNOWN], payouts.outstanding[PayoutStatus.FAILED]

    def count(n: int) -> str:
        return ngettext("%(n)d payment", "%(n)d payments", n) % {"n": n}

    return [
        Card(_("Accepted payments"), money(accepted.amount, code), count(accepted.count)),
        Card(
            _("Conversion"),
            "\N{EN DASH}"
            if conversion is None
            else formats.number_format(round(100 * conversion, 1), 1) + "\N{NO-BREAK SPACE}%",
            _("Accepted / started: %(accepted)d / %(started)d")
            % {"accepted": payments.accepted_of_started, "started": payments.started},
        ),
        Card(
            _("Held in escrow now"),
            money(escrows.held.amount, code),
            ngettext("%(n)d escrow", "%(n)d escrows", escrows.held.count) % {"n": escrows.held.count},
        ),
        Card(
            _("Open disputes"),
            str(escrows.open_disputes),
            _("the oldest opened %(ago)s ago") % {"ago": timesince(oldest, now)} if oldest else "",
            attention=escrows.open_disputes > 0,
        ),
        Card(
            _("Commission earned"),
            money(escrows.commission, code),
            ngettext("%(n)d escrow released", "%(n)d escrows released", escrows.released.count)
            % {"n": escrows.released.count},
        ),
        Card(
            _("Refunded to buyers"),
            money(escrows.refunded.amount, code),
            _("Refunds: %(n)d, of duplicate payments: %(d)d")
            % {"n": escrows.refunded.count, "d": escrows.duplicates_refunded.count},
        ),
        Card(
            _("Payouts waiting"),
            money(waiting.amount, code),
            ngettext("%(n)d payout", "%(n)d payouts", waiting.count) % {"n": waiting.count},
        ),
        Card(
            _("Payouts unknown or failed"),
            str(unknown.count + failed.count),
            _("Unknown: %(unknown)d, failed: %(failed)d")
            % {"unknown": unknown.count, "failed": failed.count},
            attention=unknown.count + failed.count > 0,
        ),
    ]


def currency_view(figures: CurrencyFigures, period: Period, now: dt.datetime | None = None) -> CurrencyView:
    """Everything the dashboard shows for one currency."""
    now = now or timezone.now()
    code, payments, escrows, payouts = figures.currency, figures.payments, figures.escrows, figures.payouts
    view = CurrencyView(code, _cards(figures, now), _time_charts(code, payments.buckets, period))
    view.tables = [
        _table(
            _("Payments by status"),
            ((labels.payment_status(s), t) for s, t in payments.by_status.items()),
            code,
        ),
        _table(
            _("Payment methods (accepted payments)"),
            ((labels.method(m.method), m.tally) for m in payments.methods),
            code,
            by_amount=True,
        ),
        _counts(
            _("Why payments failed"),
            ((f"{labels.payment_status(r.status)} — {labels.reason(r)}", r.count) for r in payments.reasons),
        ),
        _table(
            _("Held in escrow now"),
            ((labels.escrow_status(s), t) for s, t in escrows.open_by_status.items()),
            code,
            by_amount=True,
        ),
        _counts(
            _("Open disputes by age"),
            ((str(labels.DISPUTE_AGE_LABELS[k]), n) for k, n in escrows.disputes_by_age.items()),
        ),
        _table(
            _("Escrows resolved"),
            [
                (_("Released to sellers"), escrows.released),
                (_("Refunded to buyers"), escrows.refunded),
                (_("of which duplicate payments"), escrows.duplicates_refunded),
            ],
            code,
            by_amount=True,
        ),
        _table(
            _("Payouts waiting now"),
            ((labels.payout_status(s), t) for s, t in payouts.outstanding.items()),
            code,
        ),
        _table(
            _("Payouts created in the period"),
            (
                (f"{labels.payout_kind(kind)} — {labels.payout_status(s)}", t)
                for kind, by_status in payouts.created.items()
                for s, t in by_status.items()
                if t.count
            ),
            code,
        ),
    ]
    return view
