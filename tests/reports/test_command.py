"""``cinetpay_report``: the dashboard's figures as a table, CSV or JSON, and the period rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from django_cinetpay.exceptions import InvalidInputError
from django_cinetpay.reports import parse_period

pytestmark = pytest.mark.django_db

MARCH = ["--since", "2026-03-01", "--until", "2026-03-10"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("cinetpay_report", *args, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("known_data")
def test_json_has_the_documented_keys_and_integer_amounts() -> None:
    data = json.loads(run(*MARCH, "--format", "json"))
    assert set(data) == {
        "period",
        "generated_at",
        "currencies",
        "payments",
        "escrows",
        "payouts",
        "refunds",
        "commission",
    }
    assert data["period"] == {
        "since": "2026-03-01",
        "until": "2026-03-10",
        "granularity": "day",
        "time_zone": "Africa/Abidjan",
    }
    assert data["currencies"] == ["XAF", "XOF"]
    assert data["commission"] == {"XAF": 0, "XOF": 1_000}
    assert data["refunds"]["XOF"] == {"count": 1, "amount": 15_000}
    xof = data["payments"]["XOF"]
    assert xof["created"] == {"count": 8, "amount": 70_000}
    assert (xof["started"], xof["accepted_of_started"], xof["conversion"]) == (7, 4, 0.5714)
    assert xof["over_time"][1] == {
        "start": "2026-03-02",
        "created": {"count": 2, "amount": 30_000},
        "accepted": {"count": 2, "amount": 30_000},
    }
    assert xof["methods"][0] == {"method": "OM", "count": 2, "amount": 25_000}
    assert data["escrows"]["XOF"]["held"] == {"count": 2, "amount": 22_000}
    assert data["escrows"]["XOF"]["duplicates_refunded"] == {"count": 1, "amount": 15_000}
    assert data["payouts"]["XOF"]["outstanding"]["unknown"] == {"count": 1, "amount": 95_000}


@pytest.mark.usefixtures("known_data")
def test_one_currency_by_week() -> None:
    data = json.loads(run(*MARCH, "--currency", "xaf", "--group", "week", "--format", "json"))
    assert data["currencies"] == ["XAF"]
    assert [b["start"] for b in data["payments"]["XAF"]["over_time"]] == [
        "2026-02-23",
        "2026-03-02",
        "2026-03-09",
    ]


@pytest.mark.usefixtures("known_data")
def test_csv_rows_carry_codes_labels_and_integers() -> None:
    rows = list(csv.reader(io.StringIO(run(*MARCH, "--format", "csv"))))
    assert rows[0] == ["section", "currency", "key", "label", "count", "amount"]
    assert ["commission", "XOF", "commission", "Commission earned", "", "1000"] in rows
    assert ["payments.methods", "XOF", "MOMO", "MTN Mobile Money", "1", "20000"] in rows


@pytest.mark.usefixtures("known_data")
def test_the_table_reads_for_people() -> None:
    text = run(*MARCH)
    assert text.startswith("CinetPay report, 2026-03-01 to 2026-03-10 (by day, Africa/Abidjan)")
    assert "Commission earned" in text
    assert "1,000\xa0XOF" in text


def test_an_empty_period_says_so() -> None:
    assert "Nothing to report in this period." in run(*MARCH)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "01/03/2026"], "YYYY-MM-DD"),
        (["--since", "2026-03-10", "--until", "2026-03-01"], "after its end"),
        (["--currency", "EUR"], "Unknown currency"),
        (["--since", "2020-01-01", "--until", "2026-01-01", "--group", "day"], "too many points"),
    ],
)
def test_bad_options_are_explained(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_default_period_is_the_last_30_days_today_included() -> None:
    period = parse_period(today=dt.date(2026, 3, 31))
    assert (period.since, period.until, period.granularity) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 31),
        "day",
    )
    assert parse_period("2026-01-01", "2026-06-30", today=dt.date(2026, 7, 1)).granularity == "week"
    assert parse_period("2025-01-01", "2026-06-30").granularity == "month"
    with pytest.raises(InvalidInputError, match="Group by day, week or month"):
        parse_period(granularity="hour")
