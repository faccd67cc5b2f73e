"""The buttons on each record's page: shown to staff holding the permission when the state offers them,
each asking for what it needs, calling its service, and saying what happened in the staff's words.

Staff without the permission see no button, and a forged request is refused (403) with nothing changed.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.db.models import Model
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import (
    CinetPayNotification,
    CinetPayTransaction,
    EscrowTransaction,
    PayoutRequest,
    StateChange,
)
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus
from tests.escrow.conftest import Fault
from tests.payments.conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db


def page_of(obj: Model) -> str:
    return reverse(f"admin:cinetpay_{obj._meta.model_name}_change", args=[obj.pk])


def button(obj: Model, action: str) -> str:
    return reverse(f"admin:cinetpay_{obj._meta.model_name}_{action}", args=[obj.pk])


def said(response: Any) -> list[str]:
    """The messages this request added for the staff member."""
    return [str(m) for m in response.wsgi_request._messages._queued_messages]


def buttons_on(client: Any, obj: Model) -> set[str]:
    """The action names whose button the record's page shows."""
    html = client.get(page_of(obj)).content.decode()
    prefix = page_of(obj).removesuffix("change/")
    names = {"release_dispute", "refund_dispute", "refund", "retry", "check_now", "send_now", "destination"}
    return {name for name in names | {"recheck", "reprocess"} if f'href="{prefix}{name}/"' in html}


def assert_refused(client: Any, obj: Model, action: str, data: dict[str, str]) -> None:
    """Both the form and its submission answer 403, and nothing is recorded."""
    audit_rows = StateChange.objects.count()
    assert client.get(button(obj, action)).status_code == 403
    assert client.post(button(obj, action), data).status_code == 403
    assert StateChange.objects.count() == audit_rows


# --- escrows ----------------------------------------------------------------------------------------


@pytest.fixture
def arbiter(staff_with: Any) -> Any:
    return staff_with("arbitre2", "resolve_escrowtransaction")


def test_a_disputed_escrow_offers_its_two_resolutions(client, arbiter, disputed):
    client.force_login(arbiter)
    assert buttons_on(client, disputed) == {"release_dispute", "refund_dispute"}


def test_a_held_escrow_offers_a_refund(client, arbiter, escrow):
    client.force_login(arbiter)
    assert buttons_on(client, escrow) == {"refund"}


def test_staff_without_the_permission_see_no_button_and_are_refused(client, viewer, disputed):
    client.force_login(viewer)
    assert buttons_on(client, disputed) == set()
    for action in ("release_dispute", "refund_dispute", "refund"):
        assert_refused(client, disputed, action, {"note": "non"})
    assert EscrowTransaction.objects.get(pk=disputed.pk).status == EscrowStatus.DISPUTED


def test_the_button_explains_and_asks_for_a_note(client, arbiter, disputed):
    client.force_login(arbiter)
    html = client.get(button(disputed, "refund_dispute")).content.decode()
    assert f"<strong>{disputed}</strong> · 10,000\xa0XOF" in html  # what it is about
    assert "The whole amount goes back to the number that paid" in html
    assert '<textarea name="note"' in html


def test_no_note_is_a_form_error_and_changes_nothing(client, arbiter, disputed):
    client.force_login(arbiter)
    response = client.post(button(disputed, "release_dispute"), {"note": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert EscrowTransaction.objects.get(pk=disputed.pk).status == EscrowStatus.DISPUTED


@pytest.mark.parametrize(
    ("action", "status", "kind", "message"),
    [
        (
            "release_dispute",
            EscrowStatus.RELEASED,
            PayoutKind.SELLER_PAYOUT,
            "the seller is paid 9,500\xa0XOF.",
        ),
        ("refund_dispute", EscrowStatus.REFUNDED, PayoutKind.REFUND, "Refunded: 10,000\xa0XOF go back"),
    ],
)
def test_a_dispute_is_resolved_from_its_page(client, arbiter, disputed, action, status, kind, message):
    client.force_login(arbiter)
    response = client.post(button(disputed, action), {"note": "Vérifié avec les deux parties"})
    assert response.status_code == 302
    assert response.url == page_of(disputed)
    assert any(message in m for m in said(response)), said(response)
    escrow = EscrowTransaction.objects.get(pk=disputed.pk)
    assert (escrow.status, escrow.resolution_note) == (status, "Vérifié avec les deux parties")
    assert PayoutRequest.objects.get(escrow=escrow).kind == kind
    change = services.history(escrow).last()
    assert (change.actor_kind, change.actor_user, change.reason) == ("admin", arbiter, escrow.resolution_note)
    assert buttons_on(client, escrow) == set()  # resolved once and for all


def test_a_held_escrow_is_refunded_from_its_page(client, arbiter, escrow):
    client.force_login(arbiter)
    response = client.post(button(escrow, "refund"), {"note": "Vente annulée"})
    assert said(response) == ["Refunded: 10,000\xa0XOF go back to the buyer."]
    assert EscrowTransaction.objects.get(pk=escrow.pk).status == EscrowStatus.REFUNDED


def test_a_button_the_state_no_longer_offers_says_why(client, arbiter, escrow):
    client.force_login(arbiter)
    response = client.post(button(escrow, "release_dispute"), {"note": "pas de litige"})
    assert response.status_code == 302
    assert said(response) == [
        "“Resolve the dispute: pay the seller” is not possible while the status is “Held”."
    ]
    assert EscrowTransaction.objects.get(pk=escrow.pk).status == EscrowStatus.HELD


def test_a_refusal_of_the_service_is_the_reason_in_words(client, arbiter, staff, disputed, monkeypatch):
    """Another staff member resolves the dispute between the page and the click: staff read why not."""
    resolve = services.resolve_dispute

    def resolved_meanwhile(escrow: Any, user: Any, outcome: str, note: str) -> Any:
        resolve(escrow, staff, EscrowStatus.REFUNDED, "déjà remboursé")
        return resolve(escrow, user, outcome, note)

    monkeypatch.setattr(services, "resolve_dispute", resolved_meanwhile)
    client.force_login(arbiter)
    response = client.post(button(disputed, "release_dispute"), {"note": "trop tard"})
    assert said(response) == [
        "This escrow is “Refunded to the buyer”: it cannot become “Released to the seller”."
    ]
    assert services.history(disputed).last().actor_user == staff


def test_an_unknown_record_is_404(client, arbiter):
    client.force_login(arbiter)
    assert client.get(reverse("admin:cinetpay_escrowtransaction_refund", args=[999999])).status_code == 404


# --- payouts ----------------------------------------------------------------------------------------


@pytest.fixture
def retrier(staff_with: Any) -> Any:
    """May retry and check payouts and set their destination; may not send."""
    return staff_with("controleur", "retry_payoutrequest")


@pytest.fixture
def sender(staff_with: Any) -> Any:
    return staff_with("tresorier", "send_payoutrequest")


@pytest.fixture
def failed(refund: PayoutRequest, transfer_api: Any) -> PayoutRequest:
    """The refund, sent and rejected by CinetPay (the money never left)."""
    services.process_payout(refund)
    transfer_api.settle(refund.client_transaction_id, "REJ", "refused")
    return services.refresh_payout(refund).payout


def test_a_pending_payout_offers_a_destination_check_and_send_by_permission(client, retrier, sender, refund):
    client.force_login(retrier)
    assert buttons_on(client, refund) == {"check_now", "destination"}
    client.force_login(sender)
    assert buttons_on(client, refund) == {"send_now"}


def test_payout_buttons_are_refused_without_their_permission(client, viewer, retrier, refund):
    client.force_login(viewer)
    assert buttons_on(client, refund) == set()
    for action in ("retry", "check_now", "send_now", "destination"):
        assert_refused(client, refund, action, {"note": "non", "country": "CI", "phone": "0505050505"})
    client.force_login(retrier)
    assert_refused(client, refund, "send_now", {})
    assert PayoutRequest.objects.get(pk=refund.pk).status == PayoutStatus.PENDING


def test_a_failed_payout_is_retried_from_its_page(client, retrier, failed, transfer_api):
    client.force_login(retrier)
    assert buttons_on(client, failed) == {"retry", "check_now"}
    response = client.post(button(failed, "retry"), {"note": "Numéro vérifié"})
    retry = PayoutRequest.objects.get(retry_of=failed)
    assert said(response) == [f"Retried: the new payout {retry} of 10,000\xa0XOF is on its way."]
    assert (retry.status, retry.amount) == (PayoutStatus.PENDING, failed.amount)
    change = services.history(retry).last()
    assert (change.actor_user, change.reason) == (retrier, f"retry of {failed}: Numéro vérifié")
    assert "retry" not in buttons_on(client, failed)  # retried once


def test_a_retry_cinetpay_may_have_paid_is_refused_in_words(client, retrier, refund, transfer_api):
    services.process_payout(refund)  # CinetPay holds the transfer (NEW) …
    PayoutRequest.objects.filter(pk=refund.pk).update(status=PayoutStatus.FAILED)  # … the books say failed
    client.force_login(retrier)
    response = client.post(button(refund, "retry"), {"note": "nouvel essai"})
    assert said(response) == [
        "Not retried: CinetPay holds a transfer for this payout, in progress or done, so the money may have "
        "left. The payout is flagged for review; check it in the CinetPay back-office."
    ]
    assert not PayoutRequest.objects.filter(retry_of=refund).exists()
    assert PayoutRequest.objects.get(pk=refund.pk).needs_review


def test_a_retry_cinetpay_cannot_answer_about_changes_nothing(client, retrier, failed, transfer_api):
    for _attempt in range(3):  # the client's own retries too
        transfer_api.fail_next("check", Fault.TIMEOUT_BEFORE)
    client.force_login(retrier)
    response = client.post(button(failed, "retry"), {"note": "nouvel essai"})
    assert said(response) == [
        "Not retried: CinetPay could not say whether the failed payout's transfer exists. Nothing was "
        "changed; try again later."
    ]
    assert not PayoutRequest.objects.filter(retry_of=failed).exists()


def test_checking_a_payout_applies_cinetpay_s_answer_and_never_sends(client, retrier, refund, transfer_api):
    client.force_login(retrier)
    response = client.post(button(refund, "check_now"))
    assert said(response) == ["CinetPay knows no transfer for this payout; it stays “Pending”."]
    assert (transfer_api.checks, transfer_api.sends) == (1, [])
    services.process_payout(refund)
    transfer_api.settle(refund.client_transaction_id, "VAL")
    response = client.post(button(refund, "check_now"))
    assert said(response) == ["CinetPay's answer is applied: the payout is “Completed”."]
    assert services.history(refund).last().actor_user == retrier


def test_sending_now_sends_and_says_so(client, sender, refund, transfer_api):
    client.force_login(sender)
    response = client.post(button(refund, "send_now"))
    assert said(response) == ["Done: the payout is “Submitted to CinetPay”."]
    assert [s["client_transaction_id"] for s in transfer_api.sends] == [refund.client_transaction_id]
    assert services.history(refund).last().actor_user == sender


def test_a_send_cinetpay_refuses_reads_as_its_reason(client, sender, refund, transfer_api):
    transfer_api.fail_next("send", "721")
    client.force_login(sender)
    response = client.post(button(refund, "send_now"))
    [message] = said(response)
    assert message.startswith("CinetPay refused (code 721): ")
    assert "OPERATOR" not in message  # the hint for people, not CinetPay's constant
    assert PayoutRequest.objects.get(pk=refund.pk).status == PayoutStatus.FAILED


def test_the_destination_button_sets_a_valid_number(client, retrier, refund):
    client.force_login(retrier)
    form = {
        "country": "CI",
        "phone": "05 05 05 05 05",
        "name": "Koné",
        "surname": "Awa",
        "email": "a@example.com",
    }
    response = client.post(button(refund, "destination"), form)
    assert said(response) == ["The payout's destination is set; it is sent right away."]
    assert PayoutRequest.objects.get(pk=refund.pk).phone == "0505050505"


# --- payments and notifications -----------------------------------------------------------------------


@pytest.fixture
def rechecker(staff_with: Any) -> Any:
    return staff_with("verificateur", "recheck_cinetpaytransaction")


def test_a_payment_is_checked_with_cinetpay_from_its_page(client, rechecker, viewer, pending_payment, api):
    client.force_login(viewer)
    assert buttons_on(client, pending_payment) == set()
    assert_refused(client, pending_payment, "recheck", {})
    assert api.calls_to("/payment/check") == 0
    client.force_login(rechecker)
    assert buttons_on(client, pending_payment) == {"recheck"}
    api.check("ACCEPTED")
    response = client.post(button(pending_payment, "recheck"))
    assert said(response) == ["CinetPay's answer is applied: the payment is now “Accepted”."]
    payment = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert payment.status == PaymentStatus.ACCEPTED
    assert services.history(payment).last().actor_user == rechecker
    assert buttons_on(client, payment) == set()  # accepted is final


def test_a_check_cinetpay_cannot_answer_is_a_message(client, rechecker, pending_payment, api):
    api.check_raises(requests.ConnectionError("down"))
    client.force_login(rechecker)
    response = client.post(button(pending_payment, "recheck"))
    assert said(response) == [
        "CinetPay could not be reached or gave no clear answer. Nothing was changed here; try again in a "
        "few minutes."
    ]
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.PENDING


def test_a_stored_notification_is_processed_again_from_its_page(
    client, staff_with, viewer, pending_payment, api
):
    api.check_raises(requests.Timeout())
    post_notification(client, notification_fields(pending_payment))
    notification = CinetPayNotification.objects.get()
    client.force_login(viewer)
    assert_refused(client, notification, "reprocess", {})
    client.force_login(staff_with("operateur", "change_cinetpaynotification"))
    assert buttons_on(client, notification) == {"reprocess"}
    api.check("ACCEPTED")
    response = client.post(button(notification, "reprocess"))
    assert said(response) == ["Processed again."]
    assert CinetPayNotification.objects.get().processed is True
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
