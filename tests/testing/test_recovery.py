"""Never lose a payment CinetPay took: failed payments paid later, lost notifications, stored 503s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from django_cinetpay import services
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.services import recheck
from django_cinetpay.states import PaymentStatus
from django_cinetpay.testing import Fault

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tx(buyer, seller):
    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=2500, currency="XOF", description="Compte"
    )
    services.start_checkout(tx, actor=services.Actor.system())
    return tx


def checks(cinetpay) -> int:
    return sum(1 for call in cinetpay.mock.calls if call.request.url.endswith("/payment/check"))


def status(tx) -> str:
    return CinetPayTransaction.objects.get(pk=tx.pk).status


def test_a_refused_payment_paid_later_with_its_notification_lost_is_recovered(cinetpay, tx, received):
    """The reproducer: refused, then paid on the same checkout, and the paying notification is lost."""
    cinetpay.refuse(tx)
    assert status(tx) == PaymentStatus.REFUSED
    cinetpay.pay(tx, notification=Fault.LOST)

    call_command("cinetpay_check_pending", "--older-than", "0")

    fresh = CinetPayTransaction.objects.get(pk=tx.pk)
    assert fresh.status == PaymentStatus.ACCEPTED
    assert fresh.escrow.amount == 2500
    assert [kw["transaction"].pk for kw in received["payment_accepted"]] == [tx.pk]


def test_a_failed_payment_is_final_after_the_window(cinetpay, tx, settings):
    settings.CINETPAY_PAYMENT_RECHECK_WINDOW = dt.timedelta(hours=1)
    cinetpay.refuse(tx)
    cinetpay.pay(tx, notification=Fault.LOST)
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        checkout_started_at=timezone.now() - dt.timedelta(hours=1, minutes=1)
    )
    before = checks(cinetpay)

    call_command("cinetpay_check_pending", "--older-than", "0")

    assert checks(cinetpay) == before  # not asked: its failure is final
    assert status(tx) != PaymentStatus.ACCEPTED


def test_failed_payments_are_asked_about_less_and_less_often(cinetpay, tx):
    cinetpay.refuse(tx)
    started = timezone.now() - dt.timedelta(hours=2)
    CinetPayTransaction.objects.filter(pk=tx.pk).update(checkout_started_at=started)
    call_command("cinetpay_check_pending", "--older-than", "0")
    after_first = checks(cinetpay)
    call_command("cinetpay_check_pending", "--older-than", "0")
    assert checks(cinetpay) == after_first  # just checked: two hours old, so not again for 30 minutes

    fresh = CinetPayTransaction.objects.get(pk=tx.pk)
    now = fresh.last_checked_at
    assert not recheck.failed_payment_due(fresh, now + dt.timedelta(minutes=29))
    assert recheck.failed_payment_due(fresh, now + dt.timedelta(minutes=31))


def test_a_notification_whose_check_failed_is_processed_later_by_the_command(cinetpay, tx):
    """Every delivery met a check outage: the stored notification still gives the paying number."""
    cinetpay.fail(Fault.SERVER_ERROR, "payment/check", times=None)
    (delivery,) = cinetpay.pay(tx, phone="0505050505")
    assert delivery.status == 503
    assert status(tx) == PaymentStatus.PENDING
    cinetpay.clear_faults()

    call_command("cinetpay_check_pending", "--older-than", "0")

    fresh = CinetPayTransaction.objects.get(pk=tx.pk)
    assert fresh.status == PaymentStatus.ACCEPTED
    assert fresh.payer_phone == "0505050505"
    assert CinetPayNotification.objects.get().processed is True


def test_an_accepted_payment_is_never_checked_again(cinetpay, tx):
    cinetpay.pay(tx)
    before = checks(cinetpay)
    call_command("cinetpay_check_pending", "--older-than", "0")
    assert checks(cinetpay) == before


def _checked_a_while_ago(tx) -> None:
    """Return visits and polls re-check at most every 10 s: let that much time pass."""
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        last_checked_at=timezone.now() - dt.timedelta(seconds=11)
    )


def test_the_buyers_return_visit_recovers_a_failed_payment_paid_later(cinetpay, tx, client, buyer):
    cinetpay.refuse(tx)
    cinetpay.pay(tx, notification=Fault.LOST)
    _checked_a_while_ago(tx)
    client.force_login(buyer)
    response = client.get(reverse("cinetpay:return"), {"transaction_id": tx.transaction_id})
    assert response.url == reverse("cinetpay:success", args=[tx.transaction_id])
    assert status(tx) == PaymentStatus.ACCEPTED


def test_the_status_poll_recovers_a_failed_payment_paid_later(cinetpay, tx, client, buyer):
    cinetpay.refuse(tx)
    cinetpay.pay(tx, notification=Fault.LOST)
    _checked_a_while_ago(tx)
    client.force_login(buyer)
    answer = client.get(reverse("cinetpay:status", args=[tx.transaction_id])).json()
    assert (answer["status"], answer["is_paid"]) == (PaymentStatus.ACCEPTED, True)


def test_after_the_window_a_return_visit_asks_nothing(cinetpay, tx, client, buyer, settings):
    settings.CINETPAY_PAYMENT_RECHECK_WINDOW = dt.timedelta(minutes=5)
    cinetpay.refuse(tx)
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        checkout_started_at=timezone.now() - dt.timedelta(minutes=6)
    )
    _checked_a_while_ago(tx)
    before = checks(cinetpay)
    client.force_login(buyer)
    client.get(reverse("cinetpay:return"), {"transaction_id": tx.transaction_id})
    assert checks(cinetpay) == before
