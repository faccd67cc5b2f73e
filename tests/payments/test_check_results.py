"""apply_check_result's edges: who paid (for refunds), and answers about an id the payment no longer has."""

import datetime as dt

import pytest
from django.utils import timezone

from django_cinetpay import services
from django_cinetpay.client import CheckResult
from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.services.verdicts import apply_check_result
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db
CHECK = services.Actor.check("test")


def answer(status: str, code: str = "00") -> CheckResult:
    return CheckResult(code=code, message="", status=status, amount=1000, currency="XOF")


def test_the_paying_number_is_kept_when_a_poll_accepted_first(client, pending_payment, api):
    apply_check_result(pending_payment, answer("ACCEPTED"), actor=CHECK)  # return visit: no phone
    api.check("ACCEPTED")
    fields = notification_fields(pending_payment, cel_phone_num="0505050505", cpm_phone_prefixe="225")
    assert post_notification(client, fields).content == b"already processed"
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert (tx.payer_phone, tx.payer_phone_prefix) == ("0505050505", "225")


def test_a_later_notification_never_replaces_the_paying_number(client, pending_payment, api):
    api.check("ACCEPTED")
    post_notification(client, notification_fields(pending_payment, cel_phone_num="0505050505"))
    post_notification(client, notification_fields(pending_payment, cel_phone_num="0101010101"))
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).payer_phone == "0505050505"


def test_the_number_of_a_failed_attempt_is_forgotten_on_acceptance(pending_payment):
    apply_check_result(
        pending_payment,
        answer("REFUSED", "600"),
        actor=CHECK,
        payer_phone="0101010101",
        payer_phone_prefix="225",
    )
    apply_check_result(pending_payment, answer("ACCEPTED"), actor=CHECK)  # another method, no phone
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert tx.status == PaymentStatus.ACCEPTED
    assert (tx.payer_phone, tx.payer_phone_prefix) == ("", "")


def test_an_answer_about_a_previous_transaction_id_is_ignored(pending_payment):
    old_id = pending_payment.transaction_id
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(
        transaction_id="CPRESTARTED0001", status=PaymentStatus.CREATED, checkout_started_at=timezone.now()
    )
    outcome = apply_check_result(pending_payment, answer("REFUSED", "627"), actor=CHECK, checked_id=old_id)
    assert outcome.outcome == services.Outcome.IGNORED
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert (tx.status, tx.last_checked_at) == (PaymentStatus.CREATED, None)


def test_refresh_names_the_id_it_checked(pending_payment, api):
    api.check("WAITING_FOR_CUSTOMER", code="662")
    stale = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(transaction_id="CPRESTARTED0002")
    assert services.refresh_payment(stale, actor=CHECK).outcome == services.Outcome.IGNORED


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Africa/Abidjan"])
def test_paid_at_reads_cinetpay_dates_as_utc_whatever_the_site_time_zone(settings, pending_payment, zone):
    """CinetPay writes ``payment_date`` in Abidjan time (UTC); the site's TIME_ZONE must not shift it."""
    settings.TIME_ZONE = zone
    result = CheckResult(
        code="00",
        message="SUCCES",
        status="ACCEPTED",
        amount=1000,
        currency="XOF",
        payment_date=dt.datetime(2022, 9, 15, 12, 0, 0),
    )
    tx = apply_check_result(pending_payment, result, actor=CHECK).transaction
    tx.refresh_from_db()
    assert tx.paid_at == dt.datetime(2022, 9, 15, 12, 0, 0, tzinfo=dt.timezone.utc)
