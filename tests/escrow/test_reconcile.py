"""The reconcile invariants: silent on consistent books, loud on every kind of broken one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from django_cinetpay import services
from django_cinetpay.client import CheckResult, Transfer
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.services import reconcile
from django_cinetpay.services.payouts import apply_transfer
from django_cinetpay.services.verdicts import apply_check_result
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

from .conftest import Fault, accept, make_payment

pytestmark = pytest.mark.django_db

ONE_ACTIVE_PAYOUT = "cinetpay_one_active_payout_per_escrow_and_kind"


@pytest.fixture
def books(buyer, seller, staff, settings, transfer_api):  # type: ignore[no-untyped-def]
    """Consistent books: a held escrow, a paid seller, a refund that failed once and was retried."""
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    held = accept(make_payment(buyer, seller, amount=2_000)).escrow
    refunded = accept(make_payment(buyer, seller, amount=5_000)).escrow
    services.refund_escrow(refunded, staff, "cancelled")
    released = accept(make_payment(buyer, seller, amount=10_000)).escrow
    services.confirm_receipt(released, buyer)
    transfer_api.new_status = "VAL"
    transfer_api.fail_next("send", "721")  # the refund goes first and fails (operator down) …
    services.process_payouts()  # … the seller is paid
    failed = PayoutRequest.objects.get(status=PayoutStatus.FAILED)
    services.retry_payout(failed, staff)
    services.process_payouts()
    make_payment(buyer, seller)  # never paid: not in the books
    return {"held": held, "released": released, "refunded": refunded, "failed": failed}


def test_consistent_books_have_no_discrepancy(books):
    assert reconcile.find_discrepancies() == []
    xof = reconcile.totals()["XOF"]
    assert (xof.paid_in, xof.escrowed, xof.held, xof.released, xof.refunded) == (
        17_000,
        17_000,
        2_000,
        10_000,
        5_000,
    )
    assert (xof.commission, xof.paid_out, xof.in_flight, xof.owed_out) == (500, 14_500, 0, 14_500)
    assert reconcile.needs_attention() == []


@contextmanager
def constraints_off() -> Iterator[None]:
    """Let a test write rows the database would refuse, to prove reconcile finds them anyway."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE cinetpay_escrowtransaction "
                "DROP CONSTRAINT cinetpay_escrow_amount_is_commission_plus_seller_amount, "
                "DROP CONSTRAINT cinetpay_escrow_seller_amount_multiple_of_5"
            )
        cursor.execute(f"DROP INDEX {ONE_ACTIVE_PAYOUT}")
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = 0")


def drop_held_escrow(books) -> None:  # type: ignore[no-untyped-def]
    EscrowTransaction.objects.filter(pk=books["held"].pk).delete()


def inflate_escrow(books) -> None:  # type: ignore[no-untyped-def]
    EscrowTransaction.objects.filter(pk=books["held"].pk).update(
        amount=F("amount") + 5, commission=F("commission") + 5
    )


def break_split(books) -> None:  # type: ignore[no-untyped-def]
    EscrowTransaction.objects.filter(pk=books["held"].pk).update(seller_amount=F("seller_amount") + 2)


def unpay_the_seller(books) -> None:  # type: ignore[no-untyped-def]
    PayoutRequest.objects.filter(escrow=books["released"]).delete()


def pay_an_open_escrow(books) -> None:  # type: ignore[no-untyped-def]
    PayoutRequest.objects.create(
        escrow=books["held"], kind=PayoutKind.SELLER_PAYOUT, amount=1_900, currency="XOF"
    )


def overpay_the_seller(books) -> None:  # type: ignore[no-untyped-def]
    PayoutRequest.objects.filter(escrow=books["released"]).update(amount=10_000)


def retry_a_completed_payout(books) -> None:  # type: ignore[no-untyped-def]
    paid = PayoutRequest.objects.get(escrow=books["released"])
    PayoutRequest.objects.create(
        escrow=paid.escrow,
        kind=paid.kind,
        amount=paid.amount,
        currency="XOF",
        retry_of=paid,
        status=PayoutStatus.FAILED,
    )


def pay_twice(books) -> None:  # type: ignore[no-untyped-def]
    PayoutRequest.objects.filter(pk=books["failed"].pk).update(status=PayoutStatus.COMPLETED)


def cinetpay_paid_a_failed_payout(books) -> None:  # type: ignore[no-untyped-def]
    """CinetPay reports the failed (and retried) refund as validated: the buyer may be refunded twice."""
    failed = books["failed"]
    apply_transfer(
        failed,
        Transfer(
            transaction_id="TRF9", client_transaction_id=failed.client_transaction_id, treatment_status="VAL"
        ),
        actor=services.Actor.check("test"),
    )


def unaccept_a_payment(books) -> None:  # type: ignore[no-untyped-def]
    CinetPayTransaction.objects.filter(pk=books["held"].payment_id).update(status=PaymentStatus.PENDING)


CORRUPTIONS: list[tuple[Callable[..., None], set[str]]] = [
    (drop_held_escrow, {"payment-without-escrow", "totals"}),
    (inflate_escrow, {"escrow-payment-mismatch", "totals"}),
    (break_split, {"escrow-split"}),
    (unpay_the_seller, {"escrow-payouts"}),
    (pay_an_open_escrow, {"escrow-payouts", "payout-escrow-mismatch"}),
    (overpay_the_seller, {"payout-escrow-mismatch", "totals"}),
    (retry_a_completed_payout, {"payout-retry"}),
    (pay_twice, {"money-sent-twice", "payout-retry", "totals"}),
    (unaccept_a_payment, {"escrow-payment-mismatch", "totals"}),
    (cinetpay_paid_a_failed_payout, {"failed-payout-sent"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), CORRUPTIONS, ids=[c.__name__ for c, _ in CORRUPTIONS])
def test_every_broken_invariant_is_found(corrupt, expected, books):
    with constraints_off():
        corrupt(books)
        found = reconcile.find_discrepancies()
    assert {d.invariant for d in found} == expected


def test_the_database_itself_refuses_a_bad_split_and_a_second_active_payout(books):
    with pytest.raises(IntegrityError), transaction.atomic():
        break_split(books)
    with pytest.raises(IntegrityError), transaction.atomic():
        pay_twice(books)


def test_the_command_prints_totals_and_succeeds_on_consistent_books(books, capsys):
    call_command("cinetpay_reconcile")
    out = capsys.readouterr().out
    assert "XOF: paid in 17000, held 2000, released 10000 (commission 500), refunded 5000" in out
    assert "No discrepancies." in out


def test_the_command_lists_every_discrepancy_and_fails(books, capsys):
    with constraints_off():
        unpay_the_seller(books)
        overpay_the_seller(books)
        pay_an_open_escrow(books)
        with pytest.raises(CommandError, match="discrepancy"):
            call_command("cinetpay_reconcile")
    err = capsys.readouterr().err
    assert err.count("[escrow-payouts]") == 2
    assert f"escrow #{books['released'].pk}" in err


def test_waiting_work_is_listed_for_people_without_failing(books, capsys, transfer_api, settings):
    settings.CINETPAY_ADAPTER = "django_cinetpay.adapter.DefaultAdapter"
    buyer, seller = books["held"].payment.buyer, books["held"].payment.seller
    services.confirm_receipt(books["held"], buyer)  # no seller destination now
    transfer_api.fail_next("send", "602")
    stuck = accept(make_payment(buyer, seller)).escrow
    services.refund_escrow(stuck, seller, "cannot deliver")
    services.process_payouts()
    call_command("cinetpay_reconcile")
    out = capsys.readouterr().out
    assert out.count("attention:") == 2
    assert "failed (CinetPay error 602" in out
    assert "No payout destination" in out
    assert books["held"].status == EscrowStatus.RELEASED  # services leave the caller's instance fresh


def test_a_failed_payout_cinetpay_reports_as_sent_is_a_discrepancy_not_a_retry(books, capsys):
    cinetpay_paid_a_failed_payout(books)
    found = reconcile.find_discrepancies()
    assert [d.invariant for d in found] == ["failed-payout-sent"]
    assert "as VAL and was retried: the money may have gone twice" in found[0].detail
    assert reconcile.needs_attention() == []  # never listed as "retry it"
    with pytest.raises(CommandError, match="discrepancy"):
        call_command("cinetpay_reconcile")
    assert "[failed-payout-sent]" in capsys.readouterr().err


def test_a_payment_flagged_for_review_needs_a_person(buyer, seller):
    tx = make_payment(buyer, seller, amount=2_000)
    wrong = CheckResult(code="00", message="SUCCES", status="ACCEPTED", amount=200, currency="XOF")
    apply_check_result(tx, wrong, actor=services.Actor.check("test"))
    (line,) = reconcile.needs_attention()
    assert tx.transaction_id in line
    assert "needs review" in line
    assert "200 XOF" in line


def test_a_payout_unknown_for_a_day_needs_a_person(escrow, staff, transfer_api):
    services.refund_escrow(escrow, staff, "cancelled")
    payout = PayoutRequest.objects.get()
    transfer_api.fail_next("send", Fault.TIMEOUT_BEFORE)
    services.process_payout(payout)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.UNKNOWN
    assert reconcile.needs_attention() == []  # the job is on it: looked up at every run

    PayoutRequest.objects.filter(pk=payout.pk).update(
        send_started_at=F("send_started_at") - dt.timedelta(days=1, minutes=1)
    )
    (line,) = reconcile.needs_attention()
    assert payout.client_transaction_id in line
    assert "outcome unknown since" in line
