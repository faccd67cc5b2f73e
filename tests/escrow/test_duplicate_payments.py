"""One order, one payment: a second accepted payment of an order is a duplicate, refunded to its payer."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from django_cinetpay import services, signals
from django_cinetpay.client import CheckResult
from django_cinetpay.exceptions import InvalidTransitionError, PaymentValidationError
from django_cinetpay.models import CinetPayTransaction, PayoutRequest
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.services.verdicts import apply_check_result
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind
from tests.testapp.models import Listing

from .conftest import accept, make_payment

SECOND_PHONE = "0707070722"


@pytest.fixture
def listing(db: Any, seller: Any) -> Listing:
    return Listing.objects.create(title="Compte Free Fire", price=10_000, seller=seller)


@pytest.fixture
def payment_log() -> Any:
    """``payment_accepted`` and ``payment_duplicated`` as received: (name, kwargs)."""
    events: list[tuple[str, dict[str, Any]]] = []

    def on_accepted(sender: Any, **kwargs: Any) -> None:
        events.append(("accepted", kwargs))

    def on_duplicated(sender: Any, **kwargs: Any) -> None:
        events.append(("duplicated", kwargs))

    signals.payment_accepted.connect(on_accepted)
    signals.payment_duplicated.connect(on_duplicated)
    yield events
    signals.payment_accepted.disconnect(on_accepted)
    signals.payment_duplicated.disconnect(on_duplicated)


def refuse(tx: CinetPayTransaction) -> CinetPayTransaction:
    result = CheckResult(code="627", message="TRANSACTION_CANCEL", status="REFUSED")
    return apply_check_result(tx, result, actor=services.Actor.check("test")).transaction


def race(act: Any, payments: list[CinetPayTransaction]) -> list[BaseException]:
    """Run ``act(payment)`` for each payment in its own thread, released together; the errors raised."""
    barrier = threading.Barrier(len(payments))
    errors: list[BaseException] = []

    def run(tx: CinetPayTransaction) -> None:
        try:
            barrier.wait(timeout=10)
            act(tx)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(tx,)) for tx in payments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_a_paid_order_cannot_get_a_new_payment(buyer: Any, seller: Any, listing: Listing) -> None:
    accept(make_payment(buyer, seller, order=listing))
    with pytest.raises(PaymentValidationError, match="already paid"):
        make_payment(buyer, seller, order=listing)


def test_an_old_attempt_cannot_start_a_checkout_once_the_order_is_paid(
    buyer: Any, seller: Any, listing: Listing
) -> None:
    first = make_payment(buyer, seller, order=listing)
    accept(make_payment(buyer, seller, order=listing))
    with pytest.raises(PaymentValidationError, match="already paid"):
        services.start_checkout(first, actor=services.Actor.for_user(buyer))
    assert CinetPayTransaction.objects.get(pk=first.pk).checkout_started_at is None


@pytest.mark.django_db(transaction=True)
def test_paying_an_old_refused_checkout_again_is_a_refunded_duplicate(
    buyer: Any, seller: Any, listing: Listing, payment_log: Any, enqueued: Any
) -> None:
    """The case tried as a new user would: refused, paid on a second attempt, then paid on the first."""
    first = refuse(make_payment(buyer, seller, order=listing))
    second = accept(make_payment(buyer, seller, order=listing))
    late = accept(first, phone=SECOND_PHONE)

    assert late.status == PaymentStatus.ACCEPTED
    assert late.duplicate_of == second
    assert late.is_duplicate
    assert second.duplicate_of is None
    assert [name for name, _ in payment_log] == ["accepted", "duplicated"]
    assert payment_log[0][1]["transaction"].pk == second.pk
    assert payment_log[1][1]["transaction"].pk == late.pk
    assert payment_log[1][1]["original"].pk == second.pk

    late_escrow = late.escrow
    late_escrow.refresh_from_db()
    assert late_escrow.status == EscrowStatus.REFUNDED
    refund = PayoutRequest.objects.get(escrow=late_escrow)
    assert (refund.kind, refund.amount, refund.phone) == (PayoutKind.REFUND, late.amount, SECOND_PHONE)
    assert second.escrow.status == EscrowStatus.HELD
    assert "duplicate" in services.history(late).last().reason
    assert find_discrepancies() == []


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_replayed_changes_nothing(
    buyer: Any, seller: Any, listing: Listing, payment_log: Any
) -> None:
    first = refuse(make_payment(buyer, seller, order=listing))
    accept(make_payment(buyer, seller, order=listing))
    accept(first)
    accept(first)
    assert [name for name, _ in payment_log] == ["accepted", "duplicated"]
    assert PayoutRequest.objects.filter(kind=PayoutKind.REFUND).count() == 1


@pytest.mark.django_db(transaction=True)
def test_hold_setting_keeps_a_duplicate_for_staff_and_reconcile_flags_it(
    settings: Any, buyer: Any, seller: Any, listing: Listing, staff: Any
) -> None:
    settings.CINETPAY_DUPLICATE_PAYMENT_ACTION = "hold"
    first = refuse(make_payment(buyer, seller, order=listing))
    accept(make_payment(buyer, seller, order=listing))
    late = accept(first)
    escrow = late.escrow
    assert escrow.status == EscrowStatus.DISPUTED
    assert not PayoutRequest.objects.filter(escrow=escrow).exists()
    assert [d.invariant for d in find_discrepancies()] == ["duplicate-payment"]
    with pytest.raises(CommandError, match="1 discrepancy"):  # manage.py exits non-zero on it
        call_command("cinetpay_reconcile")

    # The buyer cannot confirm it into the seller's pocket; staff refund it and the books are clean.
    with pytest.raises(InvalidTransitionError):
        services.confirm_receipt(escrow, buyer)
    services.resolve_dispute(escrow, staff, EscrowStatus.REFUNDED, "paid twice for one listing")
    assert find_discrepancies() == []


def test_the_database_refuses_a_second_payment_reaching_the_seller(
    buyer: Any, seller: Any, listing: Listing
) -> None:
    accept(make_payment(buyer, seller, order=listing))
    other = make_payment(buyer, seller, amount=5_000)
    other.order_content_type = ContentType.objects.get_for_model(Listing)
    other.order_object_id = str(listing.pk)
    other.status = PaymentStatus.ACCEPTED
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_an_order_paid_several_times_on_purpose(
    settings: Any,
    buyer: Any,
    seller: Any,
    listing: Listing,
    payment_log: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SeveralPaymentsAdapter"
    with django_capture_on_commit_callbacks(execute=True):
        first = accept(make_payment(buyer, seller, order=listing))
        second = accept(make_payment(buyer, seller, order=listing))
    assert not first.order_exclusive
    assert not second.is_duplicate
    assert [name for name, _ in payment_log] == ["accepted", "accepted"]
    assert find_discrepancies() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_order_accepted_at_once_reach_the_seller_once(
    buyer: Any, seller: Any, listing: Listing, payment_log: Any
) -> None:
    """Real threads on PostgreSQL: the order's payments are locked together, so one wins."""
    rounds = 5
    for _ in range(rounds):
        payments = [make_payment(buyer, seller, order=listing) for _ in range(2)]
        assert race(accept, payments) == []
        fresh = CinetPayTransaction.objects.filter(pk__in=[p.pk for p in payments])
        assert sorted(p.is_duplicate for p in fresh) == [False, True]
        assert all(p.status == PaymentStatus.ACCEPTED for p in fresh)
        listing = Listing.objects.create(title="Compte", price=10_000, seller=seller)  # the next order
    assert [name for name, _ in payment_log].count("accepted") == rounds
    assert [name for name, _ in payment_log].count("duplicated") == rounds
    assert find_discrepancies() == []


def test_the_admin_shows_and_filters_duplicates(
    client: Any, admin_user: Any, buyer: Any, seller: Any, listing: Listing
) -> None:
    first = refuse(make_payment(buyer, seller, order=listing))
    original = accept(make_payment(buyer, seller, order=listing))
    late = accept(first)
    client.force_login(admin_user)
    changelist = reverse("admin:cinetpay_cinetpaytransaction_changelist")
    only_duplicates = client.get(changelist, {"duplicate_of__isempty": "0"}).content.decode()
    assert late.transaction_id in only_duplicates
    assert f">{original.transaction_id}<" in only_duplicates  # the duplicate_of column names the first
    not_duplicates = client.get(changelist, {"duplicate_of__isempty": "1"}).content.decode()
    assert late.transaction_id not in not_duplicates
    detail = client.get(reverse("admin:cinetpay_cinetpaytransaction_change", args=[late.pk])).content.decode()
    assert original.transaction_id in detail
    assert "duplicate: order already paid by" in detail  # the audit trail, inline


def test_the_buyer_back_from_a_duplicate_checkout_reads_that_it_is_refunded(
    client: Any, buyer: Any, seller: Any, listing: Listing
) -> None:
    first = refuse(make_payment(buyer, seller, order=listing))
    original = accept(make_payment(buyer, seller, order=listing))
    late = accept(first)
    client.force_login(buyer)
    page = client.get(reverse("cinetpay:success", args=[late.transaction_id])).content.decode()
    assert "already been paid" in page
    assert original.transaction_id in page
    assert "Thank you" not in page
