"""Whole sales against the CinetPay fake (``django_cinetpay.testing``): checkout, notifications, escrow,
the buyer's pages, staff, the payout task and transfer notifications, committed as in production."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.client import clear_clients, get_transfer_client
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.states import ActorKind, Backend, EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus
from django_cinetpay.testing import Fault
from tests.testapp.models import Listing

from .adapter import SELLER_PHONE
from .conftest import TASKS_MODULE, make_payment

pytestmark = pytest.mark.django_db(transaction=True)


#: Who pays, as the checkout form records it (the CinetPay API requires the names and the e-mail).
CUSTOMER = {"customer_name": "Kouassi", "customer_surname": "Awa", "customer_email": "awa@example.com"}
#: The CinetPay API's sandbox account the fake knows (``CINETPAY_API_CREDENTIALS``).
API_ACCOUNT = {"CI": {"api_key": "sk_test_full-flow-ci", "api_password": "full-flow-password"}}


#: Where each API differs on the wire: the send a fault hits, the code of a short balance, the login path.
SEND = {Backend.CHECKOUT_V2: "transfer/money/send/contact", Backend.API: "v1/transfer"}
NO_BALANCE = {Backend.CHECKOUT_V2: "602", Backend.API: "2005"}
LOGIN = {Backend.CHECKOUT_V2: "auth/login", Backend.API: "oauth/login"}


@pytest.fixture(autouse=True, params=[Backend.CHECKOUT_V2, Backend.API])
def backend(request, settings):  # type: ignore[no-untyped-def]
    """Every sale runs on both of CinetPay's APIs: nothing above the clients may tell them apart."""
    settings.CINETPAY_BACKEND = request.param
    settings.CINETPAY_API_CREDENTIALS = API_ACCOUNT
    clear_clients()
    yield request.param
    clear_clients()


@pytest.fixture(autouse=True)
def _production_like(settings, seller):  # type: ignore[no-untyped-def]
    """Tasks run as soon as they are enqueued (after commit); sellers have the names CinetPay wants."""
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.immediate.ImmediateBackend"}}
    seller.first_name, seller.last_name = "Koffi", "Yao"
    seller.save()


@pytest.fixture
def paid(cinetpay, buyer, seller):  # type: ignore[no-untyped-def]
    """A sale paid on the fake's checkout with MTN Mobile Money, its notification delivered twice."""
    tx = make_payment(buyer, seller)
    services.start_checkout(tx, customer=CUSTOMER, actor=services.Actor.for_user(buyer))
    deliveries = cinetpay.pay(tx, method="MOMO", phone="0505998877", notification=Fault.DUPLICATE)
    assert [d.status for d in deliveries] == [200, 200]
    tx.refresh_from_db()
    assert tx.status == PaymentStatus.ACCEPTED
    return tx


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_sale_from_checkout_to_the_sellers_mobile_money(paid, cinetpay, buyer, settings, signal_log):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    escrow = EscrowTransaction.objects.get()
    assert (escrow.payment, escrow.status, escrow.seller_amount) == (paid, EscrowStatus.HELD, 9_500)

    page = reverse("cinetpay:confirm", kwargs={"transaction_id": paid.transaction_id})
    assert as_user(buyer).post(page).status_code == 303

    payout = PayoutRequest.objects.get()  # the send task ran right after the confirmation committed
    assert payout.status == PayoutStatus.SUBMITTED
    transfer = cinetpay.transfer(payout)
    assert (transfer.amount, transfer.phone) == (9_500, SELLER_PHONE)

    assert [d.status for d in cinetpay.validate_transfer(payout)] == [200]
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.COMPLETED
    assert [d.status for d in cinetpay.notify_transfer(payout)] == [200]  # again: nothing changes
    assert signal_log.names() == ["escrow_confirmed", "escrow_released", "payout_completed"]
    assert [(c.to_status, c.actor_kind) for c in services.history(payout)] == [
        (PayoutStatus.PENDING, ActorKind.USER),
        (PayoutStatus.SENDING, ActorKind.JOB),
        (PayoutStatus.SUBMITTED, ActorKind.JOB),
        (PayoutStatus.COMPLETED, ActorKind.NOTIFICATION),
    ]
    assert find_discrepancies() == []


def test_a_dispute_refunded_by_staff_pays_back_the_number_that_paid(paid, cinetpay, buyer, staff, signal_log):
    page = reverse("cinetpay:dispute", kwargs={"transaction_id": paid.transaction_id})
    assert as_user(buyer).post(page, {"reason": "Compte déjà banni"}).status_code == 303
    services.resolve_dispute(paid.escrow, staff, EscrowStatus.REFUNDED, "the seller sold a banned account")

    refund = PayoutRequest.objects.get()
    assert (refund.kind, refund.status, refund.amount) == (PayoutKind.REFUND, PayoutStatus.SUBMITTED, 10_000)
    transfer = cinetpay.transfer(refund)
    assert (transfer.prefix, transfer.phone) == ("225", "0505998877")
    cinetpay.validate_transfer(refund)
    refund.refresh_from_db()
    assert refund.status == PayoutStatus.COMPLETED
    assert signal_log.names() == ["escrow_disputed", "escrow_refunded", "payout_completed"]
    assert find_discrepancies() == []


def test_a_send_that_times_out_after_cinetpay_took_it_ends_with_one_transfer(
    paid, cinetpay, buyer, settings, backend
):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    cinetpay.fail(Fault.TIMEOUT, SEND[backend])
    services.confirm_receipt(paid.escrow, buyer)
    payout = PayoutRequest.objects.get()
    assert payout.status == PayoutStatus.UNKNOWN

    services.process_payouts()
    services.process_payouts()
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.SUBMITTED
    assert [t.client_transaction_id for t in cinetpay.transfers] == [payout.client_transaction_id]
    assert payout.transaction_id == cinetpay.transfer(payout).transaction_id


def test_insufficient_balance_then_a_top_up_and_a_staff_retry(
    paid, cinetpay, buyer, staff, settings, signal_log, backend
):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    cinetpay.options = dataclasses.replace(cinetpay.options, transfer_balance=1_000)
    services.confirm_receipt(paid.escrow, buyer)
    failed = PayoutRequest.objects.get()
    assert (failed.status, failed.cinetpay_code) == (PayoutStatus.FAILED, NO_BALANCE[backend])
    assert signal_log.of("payout_failed")[0]["code"] == NO_BALANCE[backend]
    assert find_discrepancies() == []  # the money is owed, not lost

    cinetpay.options = dataclasses.replace(cinetpay.options, transfer_balance=1_000_000)
    retry = services.retry_payout(failed, staff, reason="balance topped up")
    retry.refresh_from_db()
    assert retry.status == PayoutStatus.SUBMITTED
    cinetpay.validate_transfer(retry)
    assert [t.client_transaction_id for t in cinetpay.transfers] == [retry.client_transaction_id]
    assert find_discrepancies() == []


def test_a_token_expiring_between_two_payouts_is_renewed(cinetpay, buyer, seller, settings, backend):
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.dummy.DummyBackend"}}
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    for _ in range(2):
        tx = make_payment(buyer, seller)
        services.start_checkout(tx, customer=CUSTOMER, actor=services.Actor.system())
        cinetpay.pay(tx)
        services.confirm_receipt(EscrowTransaction.objects.get(payment=tx), buyer)
    first, second = PayoutRequest.objects.order_by("pk")
    client = get_transfer_client()
    services.process_payout(first, client=client)
    cinetpay.expire_tokens()  # Transfer v1's lives 5 minutes, the CinetPay API's a day
    services.process_payout(second, client=client)
    assert set(PayoutRequest.objects.values_list("status", flat=True)) == {PayoutStatus.SUBMITTED}
    calls = [
        c.request.url.split("?")[0].rsplit("/v1/", 1)[1]
        for c in cinetpay.mock.calls
        if "/v1/" in c.request.url
    ]
    assert calls.count(LOGIN[backend]) == 2


def test_a_rejected_transfer_is_retried_by_staff_and_paid_once(paid, cinetpay, buyer, staff, settings):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    services.confirm_receipt(paid.escrow, buyer)
    payout = PayoutRequest.objects.get()
    cinetpay.reject_transfer(payout, comment="Numéro inconnu de l'opérateur")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
    retry = services.retry_payout(payout, staff)
    cinetpay.validate_transfer(retry)
    retry.refresh_from_db()
    assert retry.status == PayoutStatus.COMPLETED
    assert PayoutRequest.objects.filter(status=PayoutStatus.COMPLETED).count() == 1
    assert find_discrepancies() == []


def test_an_order_paid_twice_reaches_the_seller_once_and_the_second_payment_goes_back(
    cinetpay, buyer, seller, settings
):
    """Two checkouts of one order (two tabs), both paid: the second payment is a duplicate, refunded to
    the number that paid it, and only the first one's money is ever released to the seller."""
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    listing = Listing.objects.create(title="Compte Free Fire", price=10_000, seller=seller)
    first, second = (make_payment(buyer, seller, order=listing) for _ in range(2))
    for tx in (first, second):
        services.start_checkout(tx, customer=CUSTOMER, actor=services.Actor.for_user(buyer))
    cinetpay.pay(first, method="OM", phone="0707070707")
    cinetpay.pay(second, method="MOMO", phone="0505998877")
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.is_duplicate, second.is_duplicate) == (False, True)

    refund = PayoutRequest.objects.get(kind=PayoutKind.REFUND)
    assert (refund.escrow.payment, refund.status, refund.amount) == (second, PayoutStatus.SUBMITTED, 10_000)
    assert (refund.prefix, refund.phone) == ("225", "0505998877")
    cinetpay.validate_transfer(refund)
    services.confirm_receipt(first.escrow, buyer)
    payout = PayoutRequest.objects.get(kind=PayoutKind.SELLER_PAYOUT)
    assert payout.escrow.payment == first
    cinetpay.validate_transfer(payout)
    assert find_discrepancies() == []
