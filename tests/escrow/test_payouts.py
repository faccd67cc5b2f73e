"""Payouts through the Transfer API: send once, every CinetPay error, timeouts, token expiry, retries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from django_cinetpay import exceptions, services
from django_cinetpay.adapter import PayoutDestination
from django_cinetpay.client import Transfer, codes, get_transfer_client
from django_cinetpay.client.codes import TRANSFER_CODES
from django_cinetpay.client.transfer import TOKEN_LIFETIME
from django_cinetpay.models import PayoutRequest
from django_cinetpay.services import reconcile, sending
from django_cinetpay.services.payouts import apply_transfer
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.services.sending import payouts_to_process
from django_cinetpay.states import ActorKind, PayoutKind, PayoutStatus

from .adapter import SELLER_PHONE
from .conftest import Fault, accept, make_payment

pytestmark = pytest.mark.django_db

PENDING, SENDING, SUBMITTED = PayoutStatus.PENDING, PayoutStatus.SENDING, PayoutStatus.SUBMITTED
COMPLETED, FAILED, UNKNOWN = PayoutStatus.COMPLETED, PayoutStatus.FAILED, PayoutStatus.UNKNOWN
Step = services.Step


@pytest.fixture(autouse=True)
def _no_security_period(settings):  # type: ignore[no-untyped-def]
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)


def release(buyer, seller) -> PayoutRequest:  # type: ignore[no-untyped-def]
    """A released escrow's seller payout (9 500 XOF), pending."""
    escrow = accept(make_payment(buyer, seller)).escrow
    services.confirm_receipt(escrow, buyer)
    return PayoutRequest.objects.get(escrow=escrow)


@pytest.fixture
def payout(buyer, seller) -> PayoutRequest:  # type: ignore[no-untyped-def]
    return release(buyer, seller)


def status_of(payout: PayoutRequest) -> str:
    payout.refresh_from_db()
    return payout.status


# --- the happy paths ------------------------------------------------------------------------------------


def test_a_payout_is_sent_once_then_completed_when_cinetpay_validates(
    payout, transfer_api, signal_log, django_capture_on_commit_callbacks
):
    result = services.process_payout(payout)
    assert result.step == Step.SENT
    payout.refresh_from_db()
    assert (payout.status, payout.transaction_id, payout.lot) == (SUBMITTED, "TRF000001", "LOT000001")
    assert transfer_api.sends == [
        {
            "prefix": "225",
            "phone": SELLER_PHONE,
            "amount": 9_500,
            "client_transaction_id": payout.client_transaction_id,
            "notify_url": "https://shop.example.com/payments/transfer/notify/",
        }
    ]
    assert transfer_api.contacts == {"225" + SELLER_PHONE}
    assert services.process_payout(payout).step == Step.SETTLED  # still NEW: CinetPay waits for approval
    assert status_of(payout) == SUBMITTED

    transfer_api.settle(payout.client_transaction_id, "VAL")
    with django_capture_on_commit_callbacks(execute=True):
        services.process_payout(payout)
        services.process_payout(payout)
    assert status_of(payout) == COMPLETED
    assert payout.finished_at is not None
    assert transfer_api.sends_of(payout.client_transaction_id) == 1
    assert signal_log.of("payout_completed") == [{"payout": payout}]
    assert [(c.from_status, c.to_status) for c in services.history(payout)] == [
        ("", PENDING),
        (PENDING, SENDING),
        (SENDING, SUBMITTED),
        (SUBMITTED, COMPLETED),
    ]
    assert find_discrepancies() == []


def test_an_immediate_validation_completes_at_once(payout, transfer_api):
    transfer_api.new_status = "VAL"
    services.process_payout(payout)
    assert status_of(payout) == COMPLETED


def test_a_rejected_transfer_fails_the_payout(
    payout, transfer_api, signal_log, django_capture_on_commit_callbacks
):
    services.process_payout(payout)
    transfer_api.settle(payout.client_transaction_id, "REJ", comment="numéro invalide")
    with django_capture_on_commit_callbacks(execute=True):
        services.process_payout(payout)
    assert status_of(payout) == FAILED
    assert signal_log.of("payout_failed") == [{"payout": payout, "code": "REJ", "message": "numéro invalide"}]


def test_a_refund_is_a_transfer_to_the_paying_number(escrow, staff, transfer_api):
    services.refund_escrow(escrow, staff, "cancelled")
    refund = PayoutRequest.objects.get()
    services.process_payout(refund)
    assert transfer_api.sends[0]["phone"] == "0707070707"
    assert transfer_api.sends[0]["amount"] == 10_000
    assert status_of(refund) == SUBMITTED
    assert refund.kind == PayoutKind.REFUND


# --- every Transfer API error ----------------------------------------------------------------------------

#: Codes that prove CinetPay created no transfer (the payout fails) and the others (the payout is unknown).
REFUSED_BEFORE_ACTING = sorted(codes.REFUSED_BEFORE_ACTING - {"705", "706"})  # 705/706: replayed first
NOT_PROOF_OF_REFUSAL = sorted(set(TRANSFER_CODES) - codes.REFUSED_BEFORE_ACTING - {"0", "726", "805"})


def test_the_codes_that_fail_a_payout_are_documented_transfer_codes():
    assert codes.REFUSED_BEFORE_ACTING.issubset(TRANSFER_CODES)
    assert {"701", "702", "703", "707", "723"}.issubset(NOT_PROOF_OF_REFUSAL)


@pytest.mark.parametrize("code", REFUSED_BEFORE_ACTING)
def test_a_first_send_cinetpay_refuses_before_acting_fails_without_resending(
    code, payout, transfer_api, signal_log, django_capture_on_commit_callbacks
):
    transfer_api.fail_next("send", code)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.process_payout(payout)
    assert result.step == Step.FAILED
    assert isinstance(result.error, exceptions.CinetPayAPIError)
    assert (status_of(payout), payout.cinetpay_code) == (FAILED, code)
    assert [s["code"] for s in signal_log.of("payout_failed")] == [code]
    services.process_payout(payout)  # a failed payout is final: nothing is sent again
    assert transfer_api.sends_of(payout.client_transaction_id) == 1


@pytest.mark.parametrize("code", [*NOT_PROOF_OF_REFUSAL, "999"])
def test_a_send_answer_that_does_not_prove_a_refusal_makes_the_payout_unknown(
    code, payout, transfer_api, signal_log, django_capture_on_commit_callbacks
):
    transfer_api.fail_next("send", code)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.process_payout(payout)
    assert (result.step, status_of(payout), payout.cinetpay_code) == (Step.UNKNOWN, UNKNOWN, code)
    assert "looked up" in payout.last_error
    assert signal_log.of("payout_failed") == []
    services.process_payout(payout)  # looked up first: CinetPay has none, so sent again with the same id
    assert status_of(payout) == SUBMITTED
    assert transfer_api.sends_of(payout.client_transaction_id) == 2
    assert len(transfer_api.transfers) == 1


@pytest.mark.parametrize("code", ["602", "721", "500"])
def test_a_5xx_answer_with_a_code_makes_the_payout_unknown_and_it_is_found(code, payout, transfer_api):
    transfer_api.fail_next("send", Fault.server_error_after(code))  # CinetPay took it, then HTTP 500
    result = services.process_payout(payout)
    assert (result.step, status_of(payout)) == (Step.UNKNOWN, UNKNOWN)
    assert result.error.http_status == 500
    assert result.stops_batch
    services.process_payout(payout)
    assert status_of(payout) == SUBMITTED  # found by its id: never failed, never retried, never twice
    assert transfer_api.sends_of(payout.client_transaction_id) == 1
    assert len(transfer_api.transfers) == 1


@pytest.mark.parametrize("code", [*sorted(codes.REFUSED_BEFORE_ACTING - {"705", "706"}), "999"])
def test_any_error_on_a_send_after_an_unknown_outcome_keeps_the_payout_unknown(
    code, payout, transfer_api, staff
):
    transfer_api.fail_next("send", Fault.TIMEOUT_AFTER)  # CinetPay took it; the answer was lost
    services.process_payout(payout)
    transfer_api.fail_next("check", "723")  # the look-up misses it (CinetPay lags) …
    transfer_api.fail_next("send", code)  # … and the send again is refused (602: the first used the balance)
    result = services.process_payout(payout)
    assert (result.step, status_of(payout)) == (Step.UNKNOWN, UNKNOWN)
    assert "earlier send of this payout may have reached CinetPay" in payout.last_error
    with pytest.raises(exceptions.InvalidTransitionError):  # so staff cannot retry it into a second transfer
        services.retry_payout(payout, staff)
    services.process_payout(payout)
    assert status_of(payout) == SUBMITTED
    assert len(transfer_api.transfers) == 1
    assert PayoutRequest.objects.count() == 1


@pytest.mark.parametrize("code", ["705", "706"])
def test_a_refused_token_is_renewed_once_and_the_send_replayed(code, payout, transfer_api):
    transfer_api.fail_next("send", code)
    services.process_payout(payout)
    assert status_of(payout) == SUBMITTED
    assert transfer_api.logins == 2
    assert len(transfer_api.transfers) == 1


def test_a_token_refused_twice_fails_the_payout(payout, transfer_api):
    transfer_api.fail_next("send", "705")
    transfer_api.fail_next("send", "705")
    result = services.process_payout(payout)
    assert isinstance(result.error, exceptions.CinetPayTokenExpiredError)
    assert result.stops_batch
    assert status_of(payout) == FAILED
    assert transfer_api.transfers == {}


@pytest.mark.parametrize("code", ["701", "716", "724", "721"])
def test_a_contact_cinetpay_refuses_leaves_the_payout_pending_with_the_reason(code, payout, transfer_api):
    transfer_api.fail_next("contact", code)
    result = services.process_payout(payout)
    assert result.step == Step.ERROR
    assert status_of(payout) == PENDING
    assert payout.cinetpay_code == code
    assert f"CinetPay error {code}" in payout.last_error
    assert transfer_api.sends == []
    services.process_payout(payout)  # nothing was sent, so the next run simply sends
    assert status_of(payout) == SUBMITTED
    assert payout.last_error == ""


def test_a_failed_login_changes_nothing(payout, transfer_api):
    transfer_api.fail_next("login", "701")
    result = services.process_payout(payout)
    assert isinstance(result.error, exceptions.CinetPayAuthError)
    assert result.stops_batch
    assert status_of(payout) == PENDING


def test_a_missing_password_is_a_configuration_error_before_anything_changes(payout, settings):
    settings.CINETPAY_TRANSFER_PASSWORD = ""
    with pytest.raises(exceptions.CinetPayConfigurationError):
        services.process_payouts()
    assert status_of(payout) == PENDING


# --- ambiguous sends: never twice --------------------------------------------------------------------------


def test_a_send_that_times_out_after_cinetpay_took_it_makes_exactly_one_transfer(payout, transfer_api):
    transfer_api.fail_next("send", Fault.TIMEOUT_AFTER)
    result = services.process_payout(payout)
    assert (result.step, status_of(payout)) == (Step.UNKNOWN, UNKNOWN)
    assert "looked up" in payout.last_error
    assert result.stops_batch
    result = services.process_payout(payout)  # looked up first: found, so not sent again
    assert (result.step, status_of(payout)) == (Step.SETTLED, SUBMITTED)
    assert payout.transaction_id == "TRF000001"
    assert transfer_api.sends_of(payout.client_transaction_id) == 1
    assert len(transfer_api.transfers) == 1


def test_a_send_that_timed_out_before_cinetpay_acted_is_sent_again_with_the_same_id(payout, transfer_api):
    transfer_api.fail_next("send", Fault.TIMEOUT_BEFORE)
    services.process_payout(payout)
    assert status_of(payout) == UNKNOWN
    services.process_payout(payout)  # CinetPay knows no such transfer: safe to send, same id
    assert status_of(payout) == SUBMITTED
    assert transfer_api.sends_of(payout.client_transaction_id) == 2
    assert len(transfer_api.transfers) == 1
    assert [c.to_status for c in services.history(payout)] == [PENDING, SENDING, UNKNOWN, SENDING, SUBMITTED]


def test_a_transfer_cinetpay_did_not_list_yet_is_caught_by_its_id(payout, transfer_api):
    transfer_api.fail_next("send", Fault.TIMEOUT_AFTER)
    services.process_payout(payout)
    transfer_api.fail_next("check", "723")  # the look-up misses the transfer …
    services.process_payout(payout)  # … so it is sent again, and CinetPay refuses the reused id (805)
    assert status_of(payout) == UNKNOWN
    services.process_payout(payout)
    assert status_of(payout) == SUBMITTED
    assert transfer_api.sends_of(payout.client_transaction_id) == 2
    assert len(transfer_api.transfers) == 1


def test_a_look_up_that_fails_changes_nothing(payout, transfer_api, settings):
    transfer_api.fail_next("send", Fault.TIMEOUT_BEFORE)
    services.process_payout(payout)
    for _ in range(settings.CINETPAY_CHECK_ATTEMPTS):
        transfer_api.fail_next("check", Fault.TIMEOUT_BEFORE)
    result = services.process_payout(payout)
    assert (result.step, status_of(payout)) == (Step.ERROR, UNKNOWN)
    assert transfer_api.sends_of(payout.client_transaction_id) == 1


def test_a_send_interrupted_by_a_crash_is_looked_up_once_stale(payout, transfer_api, settings):
    PayoutRequest.objects.filter(pk=payout.pk).update(status=SENDING, send_started_at=timezone.now())
    payout.refresh_from_db()
    assert services.process_payout(payout).step == Step.WAITING  # maybe still in flight elsewhere
    assert payouts_to_process(10) == []
    old = timezone.now() - settings.CINETPAY_PAYOUT_SEND_STALE_AFTER
    PayoutRequest.objects.filter(pk=payout.pk).update(send_started_at=old)
    assert payouts_to_process(10) == [payout]
    services.process_payout(payout)
    assert status_of(payout) == SUBMITTED
    assert [c.to_status for c in services.history(payout)][-3:] == [UNKNOWN, SENDING, SUBMITTED]
    assert services.history(payout).filter(to_status=UNKNOWN).get().reason.startswith("send interrupted")


def test_a_notification_settling_the_payout_during_its_send_wins_over_the_timeout(payout, transfer_api):
    def notified(transfer):  # type: ignore[no-untyped-def]
        transfer["treatment_status"] = "VAL"
        services.refresh_payout(payout, actor=services.Actor.notification(1))

    transfer_api.on_transfer = notified
    transfer_api.fail_next("send", Fault.TIMEOUT_AFTER)
    services.process_payout(payout)
    assert status_of(payout) == COMPLETED
    assert len(transfer_api.transfers) == 1


def test_a_late_answer_never_moves_a_payout_back(payout, transfer_api):
    transfer_api.new_status = "VAL"
    services.process_payout(payout)
    late = Transfer(
        transaction_id="TRF000001", client_transaction_id=payout.client_transaction_id, treatment_status="NEW"
    )
    apply_transfer(payout, late, actor=services.Actor.check("test"))
    assert status_of(payout) == COMPLETED


def test_an_answer_for_another_amount_is_not_applied_but_shown(payout, transfer_api):
    services.process_payout(payout)
    wrong = Transfer(
        transaction_id="TRF000001",
        client_transaction_id=payout.client_transaction_id,
        amount=95_000,
        treatment_status="VAL",
    )
    apply_transfer(payout, wrong, actor=services.Actor.check("test"))
    assert status_of(payout) == SUBMITTED
    assert "95000" in payout.last_error


# --- the batch job ------------------------------------------------------------------------------------------


def test_the_job_sends_every_due_payout_with_one_login(buyer, seller, transfer_api):
    payouts = [release(buyer, seller) for _ in range(3)]
    report = services.process_payouts()
    assert report.count(Step.SENT) == 3
    assert report.stopped_by is None
    assert transfer_api.logins == 1
    assert all(status_of(p) == SUBMITTED for p in payouts)
    assert services.process_payouts().steps == ()  # submitted ones wait for the re-check interval
    assert sum(transfer_api.sends_of(p.client_transaction_id) for p in payouts) == 3


def test_submitted_payouts_are_rechecked_after_the_interval(payout, transfer_api, settings):
    services.process_payout(payout)
    transfer_api.settle(payout.client_transaction_id, "VAL")
    before = timezone.now() - settings.CINETPAY_PAYOUT_CHECK_INTERVAL
    PayoutRequest.objects.filter(pk=payout.pk).update(last_checked_at=before)
    assert services.process_payouts().count(Step.SETTLED) == 1
    assert status_of(payout) == COMPLETED


def test_a_token_expiring_mid_run_is_renewed(buyer, seller, transfer_api):
    payouts = [release(buyer, seller) for _ in range(3)]
    transfer_api.expire_after_send = True
    services.process_payouts()
    assert [status_of(p) for p in payouts] == [SUBMITTED] * 3
    assert transfer_api.logins == 3
    assert len(transfer_api.transfers) == 3


def test_the_client_renews_its_token_before_five_minutes(buyer, seller, transfer_api):
    first, second = release(buyer, seller), release(buyer, seller)
    now = [0.0]
    client = get_transfer_client(clock=lambda: now[0])
    services.process_payout(first, client=client)
    now[0] += TOKEN_LIFETIME + 1
    services.process_payout(second, client=client)
    assert transfer_api.logins == 2
    assert (status_of(first), status_of(second)) == (SUBMITTED, SUBMITTED)


def test_insufficient_balance_fails_one_payout_stops_the_run_and_a_retry_pays(
    buyer, seller, staff, transfer_api
):
    first, second = release(buyer, seller), release(buyer, seller)
    transfer_api.fail_next("send", "602")
    report = services.process_payouts()
    assert report.stopped_by is not None
    assert report.stopped_by.code == "602"
    assert (status_of(first), status_of(second)) == (FAILED, PENDING)  # the rest waits for the next run
    assert first.cinetpay_code == "602"
    assert "top it up" in first.last_error  # what staff must do before retrying

    retry = services.retry_payout(first, staff, reason="balance topped up")
    assert services.process_payouts().count(Step.SENT) == 2
    assert (status_of(retry), status_of(second)) == (SUBMITTED, SUBMITTED)
    assert retry.retry_of == first
    assert retry.client_transaction_id != first.client_transaction_id
    assert find_discrepancies() == []


# --- staff: retries and destinations ------------------------------------------------------------------------


def test_a_retry_is_a_new_payout_replacing_the_failed_one(
    payout, staff, transfer_api, enqueued, django_capture_on_commit_callbacks
):
    transfer_api.fail_next("send", "721")
    services.process_payout(payout)
    with django_capture_on_commit_callbacks(execute=True):
        retry = services.retry_payout(payout, staff, reason="operator back")
    assert services.retry_payout(payout, staff) == retry  # a second retry returns the first
    assert (retry.status, retry.amount, retry.kind, retry.escrow) == (
        PENDING,
        9_500,
        payout.kind,
        payout.escrow,
    )
    change = services.history(retry).get()
    assert (change.actor_kind, change.actor_user, change.reason) == (
        ActorKind.ADMIN,
        staff,
        f"retry of {payout.client_transaction_id}: operator back",
    )
    assert [r.args for r in enqueued] == [[retry.pk]]
    assert list(PayoutRequest.objects.current()) == [retry]
    assert find_discrepancies() == []


def test_only_a_failed_payout_can_be_retried(payout, staff):
    with pytest.raises(exceptions.InvalidTransitionError):
        services.retry_payout(payout, staff)


@pytest.mark.parametrize("who", ["buyer", "seller", "other_user", "staff_user"])
def test_only_staff_with_the_permission_retry_or_redirect_payouts(who, payout, request):
    user = request.getfixturevalue(who)
    with pytest.raises(exceptions.PermissionDeniedError):
        services.retry_payout(payout, user)
    with pytest.raises(exceptions.PermissionDeniedError):
        services.set_destination(payout, user, PayoutDestination("225", "0101010101"))


def test_a_payout_without_destination_waits_then_goes_once_the_host_knows_it(
    buyer, seller, settings, transfer_api
):
    settings.CINETPAY_ADAPTER = "django_cinetpay.adapter.DefaultAdapter"
    payout = release(buyer, seller)
    assert services.process_payout(payout).step == Step.WAITING
    assert status_of(payout) == PENDING
    assert "get_payout_destination" in payout.last_error
    assert transfer_api.logins == 0
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"
    services.process_payout(payout)
    assert (status_of(payout), payout.phone, payout.last_error) == (SUBMITTED, SELLER_PHONE, "")


def test_staff_set_the_destination_of_a_pending_payout(
    escrow, staff, transfer_api, enqueued, django_capture_on_commit_callbacks
):
    PayoutRequest.objects.all().delete()
    escrow.payment.__class__.objects.filter(pk=escrow.payment_id).update(payer_phone="")
    services.refund_escrow(escrow, staff, "cancelled")
    refund = PayoutRequest.objects.get()
    assert refund.last_error
    with pytest.raises(ValueError, match="with its country code"):  # no prefix: no country to read it in
        services.set_destination(refund, staff, PayoutDestination("", "0101010101"))
    with django_capture_on_commit_callbacks(execute=True):
        services.set_destination(refund, staff, PayoutDestination("+225", "0101010101", name="Koné"))
    refund.refresh_from_db()
    assert (refund.prefix, refund.phone, refund.name, refund.last_error) == ("225", "0101010101", "Koné", "")
    assert "destination set to 225 ********01" in services.history(refund).last().reason
    assert [r.args for r in enqueued] == [[refund.pk]]
    services.process_payout(refund)
    with pytest.raises(exceptions.InvalidTransitionError):  # once sent, the destination is CinetPay's
        services.set_destination(refund, staff, PayoutDestination("225", "0505050505"))


def test_payouts_stuck_on_an_error_do_not_keep_the_others_out_of_a_batch(buyer, seller, staff, transfer_api):
    unknown_number = accept(make_payment(buyer, seller), phone="").escrow
    services.refund_escrow(unknown_number, staff, "cancelled")
    stuck = PayoutRequest.objects.get()
    ready = release(buyer, seller)
    handled = [services.process_payouts(limit=1).steps[0] for _ in range(3)]
    assert [(r.payout, r.step) for r in handled] == [
        (stuck, Step.WAITING),
        (ready, Step.SENT),  # the stuck one went to the back of the line
        (stuck, Step.WAITING),  # the submitted one waits for its re-check interval
    ]


# --- currencies: a transfer is paid in the currency of the recipient's country ----------------------------


def release_in(buyer, seller, settings, currency: str, amount: int = 10_000) -> PayoutRequest:  # type: ignore[no-untyped-def]
    settings.CINETPAY_CURRENCIES = ("XOF", "XAF", "GNF", "CDF", "USD")
    payment = services.create_payment(
        buyer=buyer, seller=seller, amount=amount, currency=currency, description="Compte Free Fire"
    )
    services.confirm_receipt(accept(payment).escrow, buyer)
    return PayoutRequest.objects.get(escrow__payment=payment)


@pytest.mark.parametrize(
    ("currency", "adapter", "expected"),
    [
        ("XAF", "SellerPhoneAdapter", "in XOF, not XAF"),  # XAF money to a Côte d'Ivoire number
        ("XOF", "CameroonSellerAdapter", "in XAF, not XOF"),  # XOF money to a Cameroon number
        ("USD", "SellerPhoneAdapter", "never sent automatically"),
    ],
)
def test_a_payout_is_not_sent_to_a_country_paid_in_another_currency(
    currency, adapter, expected, buyer, seller, settings, transfer_api
):
    settings.CINETPAY_ADAPTER = f"tests.escrow.adapter.{adapter}"
    payout = release_in(buyer, seller, settings, currency, amount=100 if currency == "USD" else 10_000)
    assert expected in payout.last_error  # staff see it from the start
    result = services.process_payout(payout)
    assert result.step == Step.WAITING
    assert status_of(payout) == PENDING
    assert expected in payout.last_error
    assert (transfer_api.logins, transfer_api.sends, transfer_api.contacts) == (0, [], set())
    assert find_discrepancies() == []


@pytest.mark.parametrize(
    ("currency", "adapter"), [("XOF", "SellerPhoneAdapter"), ("XAF", "CameroonSellerAdapter")]
)
def test_a_payout_to_a_country_paid_in_its_currency_is_sent(
    currency, adapter, buyer, seller, settings, transfer_api
):
    settings.CINETPAY_ADAPTER = f"tests.escrow.adapter.{adapter}"
    payout = release_in(buyer, seller, settings, currency)
    assert payout.last_error == ""
    assert services.process_payout(payout).step == Step.SENT
    assert status_of(payout) == SUBMITTED


def test_a_refund_to_a_number_of_another_currencys_country_waits_for_staff(
    buyer, seller, staff, settings, transfer_api
):
    settings.CINETPAY_CURRENCIES = ("XOF", "XAF")
    payment = services.create_payment(
        buyer=buyer, seller=seller, amount=10_000, currency="XAF", description="x"
    )
    escrow = accept(payment, prefix="225").escrow  # paid in XAF from a Côte d'Ivoire number
    services.refund_escrow(escrow, staff, "cancelled")
    refund = PayoutRequest.objects.get()
    assert services.process_payout(refund).step == Step.WAITING
    assert (status_of(refund), transfer_api.sends) == (PENDING, [])
    assert "in XOF, not XAF" in refund.last_error
    with pytest.raises(ValueError, match="in XOF, not XAF"):
        services.set_destination(refund, staff, PayoutDestination("225", "0101010101"))
    with pytest.raises(ValueError, match="Enter a mobile number"):  # Ghana: not a CinetPay country
        services.set_destination(refund, staff, PayoutDestination("233", "0241234567"))
    services.set_destination(refund, staff, PayoutDestination("237", "671234567"))
    assert services.process_payout(refund).step == Step.SENT
    assert transfer_api.sends[0]["prefix"] == "237"


def test_a_payout_already_in_doubt_is_not_sent_again_to_a_country_of_another_currency(payout, transfer_api):
    transfer_api.fail_next("send", Fault.TIMEOUT_BEFORE)
    services.process_payout(payout)
    PayoutRequest.objects.filter(pk=payout.pk).update(currency="XAF")  # e.g. a row from an older version
    assert services.process_payout(payout).step == Step.WAITING  # looked up (none), but not resent
    assert (status_of(payout), transfer_api.sends_of(payout.client_transaction_id)) == (UNKNOWN, 1)
    assert "in XOF, not XAF" in payout.last_error


# --- a stalled attempt's late answer ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("late_error", "target"),
    [
        (exceptions.CinetPayTransferError("721", "OPERATOR_NOT_AVAILABLE"), FAILED),
        (exceptions.CinetPayTimeoutError("timed out"), UNKNOWN),
    ],
    ids=["refusal", "timeout"],
)
def test_the_late_answer_of_a_stalled_attempt_does_not_conclude_the_newer_one(
    late_error, target, payout, transfer_api, settings, staff
):
    actor = services.Actor.job("worker A")
    stalled = sending._claim(payout, PENDING, actor)  # worker A sends … and hangs
    old = timezone.now() - settings.CINETPAY_PAYOUT_SEND_STALE_AFTER
    PayoutRequest.objects.filter(pk=payout.pk).update(send_started_at=old)

    def a_answers_while_b_is_in_flight(transfer):  # type: ignore[no-untyped-def]
        concluded = sending._conclude_send(stalled, target, actor, late_error)
        assert concluded.status == SENDING  # B's attempt is left alone

    transfer_api.on_transfer = a_answers_while_b_is_in_flight
    result = services.process_payout(payout)  # worker B: stale, looked up (none), sent again
    assert (result.step, status_of(payout)) == (Step.SENT, SUBMITTED)
    assert [c.to_status for c in services.history(payout)] == [PENDING, SENDING, UNKNOWN, SENDING, SUBMITTED]
    with pytest.raises(exceptions.InvalidTransitionError):
        services.retry_payout(payout, staff)
    assert len(transfer_api.transfers) == 1


def test_the_answer_of_the_current_attempt_still_concludes_it(payout):
    actor = services.Actor.job("worker")
    claimed = sending._claim(payout, PENDING, actor)
    error = exceptions.CinetPayTransferError("721", "OPERATOR_NOT_AVAILABLE")
    assert sending._conclude_send(claimed, FAILED, actor, error).status == FAILED


# --- a failed payout CinetPay reports as sent ---------------------------------------------------------------


@pytest.fixture
def failed(payout, transfer_api) -> PayoutRequest:  # type: ignore[no-untyped-def]
    """A payout whose first send CinetPay refused before acting (602)."""
    transfer_api.fail_next("send", "602")
    services.process_payout(payout)
    assert status_of(payout) == FAILED
    return payout


@pytest.mark.parametrize("treatment", ["NEW", "VAL"])
def test_a_retry_is_refused_while_cinetpay_holds_the_failed_payouts_transfer(
    treatment, failed, staff, transfer_api
):
    transfer_api.hold(failed.client_transaction_id, failed.amount, treatment)  # the refusal was not one
    with pytest.raises(exceptions.PayoutRetryRefusedError, match=f"as {treatment}: the money may have left"):
        services.retry_payout(failed, staff)
    assert PayoutRequest.objects.count() == 1  # no second payout, no second transfer
    failed.refresh_from_db()
    assert (failed.status, failed.needs_review, failed.treatment_status) == (FAILED, True, treatment)
    assert "cannot be retried" in failed.last_error
    change = services.history(failed).last()
    assert (change.from_status, change.to_status, change.actor_user) == (FAILED, FAILED, staff)
    assert [d.invariant for d in find_discrepancies()] == ["failed-payout-sent"]
    assert not any("retry it" in line for line in reconcile.needs_attention())
    with pytest.raises(exceptions.PayoutRetryRefusedError):  # and stays refused
        services.retry_payout(failed, staff)


def test_a_notification_that_cinetpay_took_a_failed_payout_flags_it(failed, staff, transfer_api):
    transfer_api.hold(failed.client_transaction_id, failed.amount, "NEW")
    services.refresh_payout(failed, actor=services.Actor.notification(7))  # the transfer notification
    failed.refresh_from_db()
    assert (failed.status, failed.needs_review) == (FAILED, True)
    assert services.history(failed).last().reason.startswith("CinetPay reports the transfer NEW")
    assert [d.invariant for d in find_discrepancies()] == ["failed-payout-sent"]
    services.refresh_payout(failed, actor=services.Actor.notification(8))  # a duplicate: audited once
    assert services.history(failed).filter(from_status=FAILED).count() == 1

    transfer_api.settle(failed.client_transaction_id, "REJ")  # CinetPay rejects it after all
    services.refresh_payout(failed, actor=services.Actor.notification(9))
    failed.refresh_from_db()
    assert (failed.status, failed.needs_review, failed.last_error) == (FAILED, False, "")
    assert find_discrepancies() == []
    retry = services.retry_payout(failed, staff)  # now safe: CinetPay rejected that transfer
    assert retry.retry_of == failed


def test_a_flag_raised_between_the_look_up_and_the_retry_still_refuses_it(failed, staff, transfer_api):
    def cinetpay_reports_it_meanwhile(client_transaction_id):  # type: ignore[no-untyped-def]
        PayoutRequest.objects.filter(pk=failed.pk).update(needs_review=True, last_error="NEW at CinetPay")
        return None

    class Client:
        check_transfer = staticmethod(cinetpay_reports_it_meanwhile)

    with pytest.raises(exceptions.PayoutRetryRefusedError, match="NEW at CinetPay"):
        services.retry_payout(failed, staff, client=Client())  # type: ignore[arg-type]
    assert PayoutRequest.objects.count() == 1


@pytest.mark.parametrize("fault", [Fault.TIMEOUT_BEFORE, "701"])
def test_a_retry_is_refused_when_cinetpay_cannot_say_whether_the_transfer_exists(
    fault, failed, staff, transfer_api, settings
):
    for _ in range(settings.CINETPAY_CHECK_ATTEMPTS):
        transfer_api.fail_next("check", fault)
    with pytest.raises(exceptions.PayoutRetryRefusedError, match="could not be asked"):
        services.retry_payout(failed, staff)
    assert PayoutRequest.objects.count() == 1
    transfer_api.faults["check"].clear()
    assert services.retry_payout(failed, staff).retry_of == failed  # once CinetPay answers: none


def test_a_retry_of_a_transfer_cinetpay_rejected_is_allowed(payout, staff, transfer_api):
    services.process_payout(payout)
    transfer_api.settle(payout.client_transaction_id, "REJ")
    services.process_payout(payout)
    assert status_of(payout) == FAILED
    checks = transfer_api.checks
    retry = services.retry_payout(payout, staff)
    assert transfer_api.checks == checks + 1  # looked up first
    assert retry.retry_of == payout
