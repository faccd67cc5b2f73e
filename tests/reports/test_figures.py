"""The report's figures on known data (tests/reports/conftest.py says how each number comes about)."""

from __future__ import annotations

import datetime as dt

import pytest

from django_cinetpay.reports import build_report, parse_period
from django_cinetpay.reports.figures import Tally

from .conftest import NOW

pytestmark = pytest.mark.usefixtures("known_data")

MARCH = parse_period("2026-03-01", "2026-03-10")


def test_payments_by_status_and_conversion() -> None:
    payments = build_report(MARCH, now=NOW).currencies["XOF"].payments
    assert payments.by_status == {
        "created": Tally(1, 1_000),
        "pending": Tally(1, 3_000),
        "accepted": Tally(4, 57_000),
        "refused": Tally(1, 5_000),
        "cancelled": Tally(1, 4_000),
        "expired": Tally(0, 0),
    }
    assert payments.created == Tally(8, 70_000)
    assert (payments.started, payments.accepted_of_started) == (7, 4)
    assert payments.conversion == pytest.approx(4 / 7)


def test_payments_by_day_in_the_site_time_zone() -> None:
    buckets = build_report(MARCH, now=NOW).currencies["XOF"].payments.buckets
    assert [b.start for b in buckets] == [dt.date(2026, 3, day) for day in range(1, 11)]
    by_day = {b.start.day: (b.created, b.accepted) for b in buckets if b.created.count}
    assert by_day == {
        2: (Tally(2, 30_000), Tally(2, 30_000)),
        3: (Tally(2, 9_000), Tally(0, 0)),
        4: (Tally(2, 4_000), Tally(0, 0)),
        6: (Tally(1, 15_000), Tally(1, 15_000)),
        8: (Tally(1, 12_000), Tally(1, 12_000)),
    }


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        # Weeks start on Monday: 23 February (1 March is a Sunday), 2 March, 9 March.
        ("week", {dt.date(2026, 2, 23): 0, dt.date(2026, 3, 2): 8, dt.date(2026, 3, 9): 0}),
        ("month", {dt.date(2026, 3, 1): 8}),
    ],
)
def test_payments_by_week_and_month(granularity: str, expected: dict[dt.date, int]) -> None:
    period = parse_period("2026-03-01", "2026-03-10", granularity)
    buckets = build_report(period, now=NOW).currencies["XOF"].payments.buckets
    assert {b.start: b.created.count for b in buckets} == expected


def test_failure_reasons_and_methods() -> None:
    payments = build_report(MARCH, now=NOW).currencies["XOF"].payments
    assert [(r.status, r.code, r.count) for r in payments.reasons] == [
        ("cancelled", "", 1),
        ("refused", "602", 1),
    ]
    assert [(m.method, m.tally) for m in payments.methods] == [
        ("OM", Tally(2, 25_000)),
        ("MOMO", Tally(1, 20_000)),
        ("WAVE", Tally(1, 12_000)),
    ]


def test_escrows_now_and_resolved_in_the_period() -> None:
    escrows = build_report(MARCH, now=NOW).currencies["XOF"].escrows
    assert escrows.open_by_status == {
        "held": Tally(1, 10_000),
        "confirmed": Tally(0, 0),
        "disputed": Tally(1, 12_000),
    }
    assert escrows.held == Tally(2, 22_000)
    assert escrows.open_disputes == 1
    assert escrows.disputes_by_age == {"under_1_day": 0, "1_to_3_days": 1, "3_to_7_days": 0, "over_7_days": 0}
    assert escrows.oldest_dispute == NOW - dt.timedelta(days=2)
    assert (escrows.released, escrows.commission) == (Tally(1, 20_000), 1_000)
    assert (escrows.refunded, escrows.duplicates_refunded) == (Tally(1, 15_000), Tally(1, 15_000))


def test_payouts_created_and_waiting() -> None:
    payouts = build_report(MARCH, now=NOW).currencies["XOF"].payouts
    created = {(kind, s): t for kind, by in payouts.created.items() for s, t in by.items() if t.count}
    assert created == {("payout", "completed"): Tally(1, 19_000), ("refund", "failed"): Tally(1, 15_000)}
    waiting = {s: t for s, t in payouts.outstanding.items() if t.count}
    assert waiting == {"failed": Tally(1, 15_000), "unknown": Tally(1, 95_000)}
    assert payouts.needs_review == 0


def test_each_currency_apart_and_one_currency_alone() -> None:
    report = build_report(MARCH, now=NOW)
    assert list(report.currencies) == ["XAF", "XOF"]
    xaf = report.currencies["XAF"]
    assert xaf.payments.created == Tally(1, 50_000)
    assert xaf.escrows.open_by_status["confirmed"] == Tally(1, 50_000)
    assert xaf.escrows.commission == 0
    assert list(build_report(MARCH, currency="XAF", now=NOW).currencies) == ["XAF"]


def test_a_period_before_any_payment_still_shows_what_is_held_now() -> None:
    report = build_report(parse_period("2025-01-01", "2025-01-31"), now=NOW)
    xof = report.currencies["XOF"]
    assert xof.payments.created == Tally(0, 0)
    assert len(xof.payments.buckets) == 31
    assert xof.escrows.held == Tally(2, 22_000)
    assert xof.escrows.commission == 0
