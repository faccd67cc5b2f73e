"""``cinetpay_health`` and the checks behind it: what each finds, and the exit codes cron alerts on."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone

from django_cinetpay.health import Level, run_checks
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

from .conftest import CHECK

pytestmark = pytest.mark.django_db


def health(*args: str) -> tuple[int, str]:
    """Run the command; its exit code and what it printed."""
    out = io.StringIO()
    try:
        call_command("cinetpay_health", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def accepted_escrow(
    buyer: Any, seller: Any, status: str = EscrowStatus.RELEASED, **fields: Any
) -> EscrowTransaction:
    tx = CinetPayTransaction.objects.create(
        buyer=buyer, seller=seller, amount=10_000, currency="XOF", description="x"
    )
    CinetPayTransaction.objects.filter(pk=tx.pk).update(status=PaymentStatus.ACCEPTED)
    return EscrowTransaction.objects.create(
        payment=tx,
        amount=10_000,
        currency="XOF",
        commission_rate=Decimal("0.05"),
        commission=500,
        seller_amount=9_500,
        status=status,
        **fields,
    )


def payout(escrow: EscrowTransaction, status: str, **fields: Any) -> PayoutRequest:
    return PayoutRequest.objects.create(
        escrow=escrow, kind=PayoutKind.SELLER_PAYOUT, amount=9_500, currency="XOF", status=status, **fields
    )


def test_a_quiet_site_is_healthy(settings: Any) -> None:
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"  # sellers have a destination
    settings.SILENCED_SYSTEM_CHECKS = ["cinetpay.W031"]  # no SMS, on purpose: silenced checks do not count
    CinetPayNotification.objects.create(kind="payment", method="POST", valid=True, processed=True)
    code, out = health("--no-network")
    assert code == 0
    assert "[OK] Notifications: Last notification received 0\xa0minutes ago." in out
    assert out.rstrip().endswith("OK (exit code 0)")


def test_no_notification_yet_is_a_warning_that_does_not_alert() -> None:
    code, out = health("--no-network", "--check", "notifications")
    assert code == 0
    assert "[Warning] Notifications: No notification received yet." in out


def test_a_failed_payout_needs_a_person(buyer: Any, seller: Any) -> None:
    payout(accepted_escrow(buyer, seller), PayoutStatus.FAILED)
    code, out = health("--no-network")
    assert code == 1
    assert "1 payout failed and not retried" in out


def test_a_payout_unknown_for_too_long_needs_a_person(buyer: Any, seller: Any, settings: Any) -> None:
    settings.CINETPAY_PAYOUT_UNKNOWN_ALERT_AFTER = dt.timedelta(hours=6)
    escrow = accepted_escrow(buyer, seller)
    fresh = payout(escrow, PayoutStatus.UNKNOWN, send_started_at=timezone.now() - dt.timedelta(hours=1))
    finding = run_checks(network=False, only=["payouts"]).findings[0]
    assert (finding.level, finding.summary) == (
        Level.OK,
        "1 payout with an unknown outcome, still being looked up.",
    )
    PayoutRequest.objects.filter(pk=fresh.pk).update(send_started_at=timezone.now() - dt.timedelta(hours=7))
    finding = run_checks(network=False, only=["payouts"]).findings[0]
    assert finding.level == Level.ALERT
    assert finding.summary.startswith("1 payout with an unknown outcome for more than 6\xa0hours")


def test_a_payment_pending_past_the_recheck_window_needs_a_person(
    buyer: Any, seller: Any, settings: Any
) -> None:
    settings.CINETPAY_PAYMENT_RECHECK_WINDOW = dt.timedelta(hours=24)
    tx = CinetPayTransaction.objects.create(
        buyer=buyer, seller=seller, amount=5_000, currency="XOF", description="x"
    )
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        status=PaymentStatus.PENDING, checkout_started_at=timezone.now() - dt.timedelta(hours=23)
    )
    assert run_checks(network=False, only=["payments"]).level == Level.OK
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        checkout_started_at=timezone.now() - dt.timedelta(hours=25)
    )
    finding = run_checks(network=False, only=["payments"]).findings[0]
    assert finding.level == Level.ALERT
    assert finding.data["pending_too_long"] == 1


def test_an_escrow_past_its_period_needs_a_person_a_dispute_is_a_warning(buyer: Any, seller: Any) -> None:
    now = timezone.now()
    accepted_escrow(buyer, seller, EscrowStatus.DISPUTED, disputed_at=now - dt.timedelta(days=3))
    finding = run_checks(network=False, only=["escrows"]).findings[0]
    assert finding.level == Level.WARNING
    assert finding.summary == "1 open dispute (the oldest opened 3\xa0days ago) waits for staff."
    accepted_escrow(buyer, seller, EscrowStatus.CONFIRMED, release_due_at=now - dt.timedelta(minutes=10))
    assert run_checks(network=False, only=["escrows"]).level == Level.WARNING  # the job is due any minute
    accepted_escrow(buyer, seller, EscrowStatus.CONFIRMED, release_due_at=now - dt.timedelta(hours=2))
    finding = run_checks(network=False, only=["escrows"]).findings[0]
    assert finding.level == Level.ALERT
    assert finding.data["past_period"] == 1


def test_a_configuration_error_exits_2_without_calling_cinetpay(settings: Any, cinetpay: Any) -> None:
    settings.CINETPAY_API_KEY = ""
    code, out = health()
    assert code == 2
    assert "cinetpay.E001" in out
    assert cinetpay.calls() == 0


def test_cinetpay_reachable_and_the_balance_enough(cinetpay: Any) -> None:
    cinetpay.ping()
    cinetpay.balance(50_000)
    report = run_checks(only=["cinetpay", "balance"])
    assert [(f.check, f.level) for f in report.findings] == [("cinetpay", Level.OK), ("balance", Level.OK)]
    assert report.findings[1].data == {"available": 50_000, "needed": 0, "currency": "XOF"}


def test_a_balance_below_the_waiting_payouts_needs_a_person(cinetpay: Any, buyer: Any, seller: Any) -> None:
    payout(accepted_escrow(buyer, seller), PayoutStatus.PENDING)
    cinetpay.balance(5_000)
    finding = run_checks(only=["balance"]).findings[0]
    assert finding.level == Level.ALERT
    assert (
        finding.summary
        == "Available 5,000\xa0XOF, less than the 9,500\xa0XOF payouts waiting need: top it up."
    )


def test_cinetpay_unreachable_needs_a_person_and_refused_keys_are_a_configuration_error(
    cinetpay: Any,
) -> None:
    cinetpay.mock.upsert("POST", CHECK, body=requests.ConnectionError("down"))
    assert run_checks(only=["cinetpay"]).level == Level.ALERT
    cinetpay.mock.replace("POST", CHECK, json={"code": "609", "message": "AUTH_NOT_FOUND"})
    caches["default"].clear()  # the finding above is kept a minute
    code, out = health("--check", "cinetpay")
    assert code == 2
    assert "CinetPay refused the credentials" in out


def test_cinetpay_is_asked_once_a_minute_at_most(cinetpay: Any) -> None:
    cinetpay.ping()
    cinetpay.balance(50_000)
    for _ in range(3):
        run_checks(only=["cinetpay", "balance"])
    assert cinetpay.calls() == 3  # one ping, one login, one balance


def test_a_failing_cache_costs_a_call_not_the_check(cinetpay: Any, settings: Any) -> None:
    settings.CACHES = {**settings.CACHES, "broken": {"BACKEND": "tests.health.broken_cache.BrokenCache"}}
    settings.CINETPAY_CACHE = "broken"
    cinetpay.ping()
    assert run_checks(only=["cinetpay"]).level == Level.OK


def test_json_for_programs(buyer: Any, seller: Any) -> None:
    payout(accepted_escrow(buyer, seller), PayoutStatus.FAILED, needs_review=True)
    code, out = health("--no-network", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert (data["status"], data["exit_code"]) == ("alert", 1)
    payouts = next(c for c in data["checks"] if c["check"] == "payouts")
    assert payouts["data"]["sent_anyway"] == 1
    assert payouts["level"] == "alert"
    assert [c["check"] for c in data["checks"]] == [
        "configuration",
        "notifications",
        "payments",
        "payouts",
        "escrows",
    ]
