"""The buyer's confirm and dispute pages, and CinetPay's transfer notification webhook."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from django_cinetpay import services
from django_cinetpay.models import CinetPayNotification, EscrowTransaction, NotificationKind, PayoutRequest
from django_cinetpay.states import EscrowStatus, PayoutStatus

from .conftest import make_payment

pytestmark = pytest.mark.django_db


def url(name: str, escrow: EscrowTransaction) -> str:
    return reverse(f"cinetpay:{name}", kwargs={"transaction_id": escrow.payment.transaction_id})


def logged_in(user, *, csrf: bool = False) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def status(escrow: EscrowTransaction) -> str:
    escrow.refresh_from_db()
    return escrow.status


# --- confirm and dispute --------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["confirm", "dispute"])
def test_the_buyer_sees_the_question_and_the_seller_only_the_state(page, escrow, buyer, seller):
    mine = logged_in(buyer).get(url(page, escrow))
    assert mine.status_code == 200
    assert b'method="post"' in mine.content
    assert escrow.payment.transaction_id.encode() in mine.content
    theirs = logged_in(seller).get(url(page, escrow))
    assert theirs.status_code == 200
    assert b'method="post"' not in theirs.content


@pytest.mark.parametrize("page", ["confirm", "dispute"])
@pytest.mark.parametrize("who", ["other_user", "staff_user", "staff"])
def test_anyone_else_gets_a_404(page, who, escrow, request):
    client = logged_in(request.getfixturevalue(who))
    assert client.get(url(page, escrow)).status_code == 404
    assert client.post(url(page, escrow), {"reason": "x"}).status_code == 404
    assert status(escrow) == EscrowStatus.HELD


@pytest.mark.parametrize("page", ["confirm", "dispute"])
def test_anonymous_visitors_are_sent_to_log_in(page, escrow):
    response = Client().post(url(page, escrow), {"reason": "x"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", ["confirm", "dispute"])
def test_the_seller_may_not_act_for_the_buyer(page, escrow, seller):
    response = logged_in(seller).post(url(page, escrow), {"reason": "x"})
    assert response.status_code == 403
    assert status(escrow) == EscrowStatus.HELD


def test_an_unknown_or_unpaid_payment_is_a_404(buyer, seller):
    client = logged_in(buyer)
    assert client.get(reverse("cinetpay:confirm", kwargs={"transaction_id": "CPNOPE"})).status_code == 404
    unpaid = make_payment(buyer, seller)
    assert (
        client.get(reverse("cinetpay:confirm", kwargs={"transaction_id": unpaid.transaction_id})).status_code
        == 404
    )


def test_the_buyer_confirms_receipt(escrow, buyer):
    response = logged_in(buyer, csrf=True).get(url("confirm", escrow))
    token = response.cookies["csrftoken"].value
    client = logged_in(buyer, csrf=True)
    client.cookies["csrftoken"] = token
    response = client.post(url("confirm", escrow), {"csrfmiddlewaretoken": token})
    assert (response.status_code, response["Location"]) == (303, url("confirm", escrow))
    assert status(escrow) == EscrowStatus.CONFIRMED
    page = client.get(url("confirm", escrow))
    assert "cinetpay-escrow-confirmed" in page.content.decode()
    assert (
        client.post(url("confirm", escrow), {"csrfmiddlewaretoken": token}).status_code == 303
    )  # repeat: no-op


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/orders/7/", "/orders/7/"),
        ("https://evil.example/steal", None),
        ("//evil.example/", None),
        ("", None),
    ],
)
def test_after_an_action_the_buyer_goes_to_a_safe_next_page_only(escrow, buyer, next_url, expected):
    response = logged_in(buyer).post(url("confirm", escrow), {"next": next_url})
    assert response.status_code == 303
    assert response["Location"] == (expected or url("confirm", escrow))


def test_the_forms_carry_the_next_page(escrow, buyer):
    page = logged_in(buyer).get(url("dispute", escrow) + "?next=/orders/7/").content.decode()
    assert 'name="next" value="/orders/7/"' in page


@pytest.mark.parametrize("page", ["confirm", "dispute"])
def test_posts_without_a_csrf_token_are_refused(page, escrow, buyer):
    assert logged_in(buyer, csrf=True).post(url(page, escrow), {"reason": "x"}).status_code == 403
    assert status(escrow) == EscrowStatus.HELD


def test_the_buyer_reports_a_problem(escrow, buyer):
    client = logged_in(buyer)
    assert client.post(url("dispute", escrow), {"reason": "  "}).status_code == 400
    response = client.post(url("dispute", escrow), {"reason": "Le compte a été récupéré par le vendeur"})
    assert response.status_code == 303
    assert status(escrow) == EscrowStatus.DISPUTED
    assert escrow.dispute_reason == "Le compte a été récupéré par le vendeur"
    assert "Le compte a été récupéré" in client.get(url("dispute", escrow)).content.decode()


def test_a_long_reason_is_cut_not_refused(escrow, buyer):
    logged_in(buyer).post(url("dispute", escrow), {"reason": "x" * 5000})
    escrow.refresh_from_db()
    assert len(escrow.dispute_reason) == 2000


def test_actions_no_longer_possible_answer_409_with_the_state(escrow, buyer, staff):
    services.refund_escrow(escrow, staff, "cancelled")
    escrow.refresh_from_db()
    client = logged_in(buyer)
    for page in ("confirm", "dispute"):
        response = client.post(url(page, escrow), {"reason": "x"})
        assert response.status_code == 409
        assert escape(escrow.get_status_display()) in response.content.decode()


def test_no_dispute_after_the_security_period(escrow, buyer):
    services.confirm_receipt(escrow, buyer)
    EscrowTransaction.objects.filter(pk=escrow.pk).update(
        release_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client = logged_in(buyer)
    assert b'name="reason"' not in client.get(url("dispute", escrow)).content
    assert client.post(url("dispute", escrow), {"reason": "late"}).status_code == 409


# --- transfer notifications -----------------------------------------------------------------------


@pytest.fixture
def submitted(escrow, buyer, settings, transfer_api) -> PayoutRequest:  # type: ignore[no-untyped-def]
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    services.confirm_receipt(escrow, buyer)
    payout = PayoutRequest.objects.get()
    services.process_payout(payout)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SUBMITTED
    return payout


def notify(payout: PayoutRequest | None = None, **fields: str):  # type: ignore[no-untyped-def]
    body = {
        "transaction_id": payout.transaction_id if payout else "TRF999",
        "client_transaction_id": payout.client_transaction_id if payout else "",
        "lot": payout.lot if payout else "",
        "amount": str(payout.amount) if payout else "5000",
        "receiver": "+2250505050505",
        "sending_status": "CONFIRM",
        "treatment_status": "VAL",
        "comment": "",
        "operator_transaction_id": "MP.1",
        "validated_at": "2024-01-01 12:05:00",
        **fields,
    }
    return Client(enforce_csrf_checks=True).post(reverse("cinetpay:transfer-notify"), body)


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_transfer_webhook_answers_pings(method):
    response = getattr(Client(), method)(reverse("cinetpay:transfer-notify"))
    assert response.status_code == 200
    assert not CinetPayNotification.objects.exists()


def test_a_transfer_notification_is_stored_then_confirmed_by_a_check(
    submitted, transfer_api, signal_log, django_capture_on_commit_callbacks
):
    transfer_api.settle(submitted.client_transaction_id, "VAL")
    checks = transfer_api.checks
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(submitted)
    assert (response.status_code, response.content) == (200, b"completed")
    assert transfer_api.checks == checks + 1
    submitted.refresh_from_db()
    assert submitted.status == PayoutStatus.COMPLETED
    stored = CinetPayNotification.objects.get()
    assert (stored.kind, stored.reference, stored.processed) == (
        NotificationKind.TRANSFER,
        submitted.client_transaction_id,
        True,
    )
    assert stored.transaction == submitted.escrow.payment
    change = services.history(submitted).last()
    assert (change.actor_kind, change.actor_label) == ("notification", f"notification #{stored.pk}")
    assert signal_log.names() == ["payout_completed"]
    assert notify(submitted).status_code == 200  # a duplicate changes nothing
    assert len(signal_log.of("payout_completed")) == 1


def test_a_forged_notification_changes_nothing(submitted, transfer_api):
    response = notify(submitted, treatment_status="VAL")  # CinetPay still says NEW
    assert (response.status_code, response.content) == (200, b"submitted")
    submitted.refresh_from_db()
    assert submitted.status == PayoutStatus.SUBMITTED
    assert len(transfer_api.transfers) == 1


def test_notifications_for_no_known_payout_are_refused(db):
    assert notify(None).status_code == 400
    assert notify(None, client_transaction_id="TRNOPE").status_code == 404
    assert list(CinetPayNotification.objects.values_list("processed", flat=True)) == [True, True]


def test_a_notification_that_cannot_be_confirmed_is_kept_for_reprocessing(submitted, transfer_api):
    transfer_api.settle(submitted.client_transaction_id, "VAL")
    transfer_api.fail_next("check", "702")
    assert notify(submitted).status_code == 503
    stored = CinetPayNotification.objects.get()
    assert not stored.processed
    assert "702" in stored.error
    submitted.refresh_from_db()
    assert submitted.status == PayoutStatus.SUBMITTED

    assert services.reprocess(stored).status == 200
    submitted.refresh_from_db()
    assert submitted.status == PayoutStatus.COMPLETED


def test_a_bug_while_processing_keeps_the_notification_with_its_traceback(submitted, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("oops")

    monkeypatch.setattr("django_cinetpay.services.notifications.refresh_payout", broken)
    assert notify(submitted).status_code == 500
    stored = CinetPayNotification.objects.get()
    assert "ZeroDivisionError" in stored.traceback
    assert not stored.processed
