"""Each event sends exactly the expected messages, once, to the right person, in their language."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_cinetpay import services, sms
from django_cinetpay.models import EscrowTransaction, Message, MessageKind, MessageState, PayoutRequest
from django_cinetpay.states import EscrowStatus

from ..escrow.conftest import TASKS_MODULE, accept, make_payment
from .conftest import BUYER_PHONE, SELLER_PHONE, kinds


def test_an_accepted_payment_tells_the_buyer_and_the_seller(buyer, seller, committed, outboxes, sms_outbox):
    payment = committed(lambda: accept(make_payment(buyer, seller, amount=15_000)))

    assert kinds() == [
        ("buyer_payment_accepted", "email"),
        ("buyer_payment_accepted", "sms"),
        ("seller_payment_received", "email"),
        ("seller_payment_received", "sms"),
    ]
    assert [(address, words[:20]) for address, words in outboxes()] == [
        ("awa@example.com", "Your payment for “Co"),
        ("koffi@example.com", "Sold: “Compte Free F"),
        (BUYER_PHONE, "15,000 XOF paid, ref"),
        (SELLER_PHONE, "15,000 XOF paid, ref"),
    ]
    buyer_mail = mail.outbox[0]
    assert payment.transaction_id in buyer_mail.body
    assert f"https://shop.example.com/payments/{payment.transaction_id}/confirm/" in buyer_mail.body
    assert "confirm receipt" in buyer_mail.body
    html = buyer_mail.alternatives[0]
    assert html[1] == "text/html"
    assert "15,000\xa0XOF" in html[0]
    assert all(m.state == MessageState.SENT and m.attempts == 1 for m in Message.objects.all())
    assert SELLER_PHONE not in buyer_mail.body + sms_outbox[0].body  # nobody sees the other's number


def test_messages_are_in_the_recipients_language(buyer, seller, committed, settings, outboxes):
    settings.CINETPAY_ADAPTER = "tests.notifications.adapters.FrenchBuyerAdapter"
    committed(lambda: accept(make_payment(buyer, seller, amount=1_500_000)))

    buyer_messages = Message.objects.filter(recipient=buyer)
    assert {m.language for m in buyer_messages} == {"fr"}
    assert {m.language for m in Message.objects.filter(recipient=seller)} == {"en"}
    sms_text = buyer_messages.get(channel="sms").body
    assert "1 500 000 XOF" in sms_text  # grouped the French way, no-break spaces folded for GSM-7
    assert "1,500,000 XOF" in Message.objects.get(recipient=seller, channel="sms").body


def test_a_signal_heard_twice_sends_nothing_more(buyer, seller, committed, outboxes):
    from django_cinetpay import signals
    from django_cinetpay.models import CinetPayTransaction

    payment = committed(lambda: accept(make_payment(buyer, seller)))
    sent = outboxes()
    signals.payment_accepted.send(sender=CinetPayTransaction, transaction=payment)
    assert outboxes() == sent
    assert Message.objects.count() == 4


def test_a_refused_payment_tells_the_buyer_by_email(buyer, seller, committed, outboxes):
    from django_cinetpay.client import CheckResult
    from django_cinetpay.services.verdicts import apply_check_result

    payment = make_payment(buyer, seller)
    result = CheckResult(
        code="600", message="PAYMENT_FAILED", status="REFUSED", amount=10_000, currency="XOF"
    )
    committed(lambda: apply_check_result(payment, result, actor=services.Actor.check("test")))

    assert kinds() == [("buyer_payment_refused", "email")]
    assert outboxes() == [("awa@example.com", "Your payment was not completed")]
    assert "was refused" in mail.outbox[0].body
    assert f"/payments/{payment.transaction_id}/failed/" in mail.outbox[0].body


def test_confirmation_release_and_payout_tell_the_seller(
    paid, buyer, committed, outboxes, transfer_api, settings
):
    committed(lambda: services.confirm_receipt(paid, buyer))
    assert kinds(kind__startswith="seller_receipt") == [("seller_receipt_confirmed", "email")]
    assert "9,500\xa0XOF will be released to you" in mail.outbox[-1].body

    paid.refresh_from_db()
    paid.__class__.objects.filter(pk=paid.pk).update(
        release_due_at=paid.release_due_at - dt.timedelta(days=2)
    )
    committed(lambda: services.release_due_escrows())
    assert kinds(kind="seller_funds_released") == [("seller_funds_released", "email")]
    payout = paid.payouts.get()  # sent by the task the release queued
    transfer_api.settle(payout.client_transaction_id, "VAL")
    committed(lambda: services.refresh_payout(payout, actor=services.Actor.job("test")))

    assert kinds(recipient__username="koffi") == [
        ("seller_payment_received", "email"),
        ("seller_payment_received", "sms"),
        ("seller_receipt_confirmed", "email"),
        ("seller_funds_released", "email"),
        ("seller_payout_completed", "email"),
        ("seller_payout_completed", "sms"),
    ]
    assert sms.outbox[-1].body.startswith("9,500 XOF sent to your number for ")


def test_an_automatic_confirmation_says_so(paid, committed, settings, outboxes):
    settings.CINETPAY_ESCROW_AUTO_CONFIRM_AFTER = dt.timedelta(days=3)
    paid.__class__.objects.filter(pk=paid.pk).update(created_at=paid.created_at - dt.timedelta(days=4))
    committed(lambda: services.release_due_escrows())
    assert "did not answer in time" in Message.objects.get(kind="seller_receipt_confirmed").body


def test_a_dispute_and_its_refund_tell_both(paid, buyer, staff, committed, outboxes, transfer_api):
    committed(lambda: services.open_dispute(paid, buyer, "Le compte ne marche pas, appelez le 0102030405"))
    assert kinds()[-3:] == [
        ("buyer_dispute_opened", "email"),
        ("seller_dispute_opened", "email"),
        ("seller_dispute_opened", "sms"),
    ]
    assert "0102030405" not in "".join(Message.objects.values_list("body", flat=True))  # the reason stays out

    committed(lambda: services.resolve_dispute(paid, staff, EscrowStatus.REFUNDED, "seller silent"))
    assert kinds()[-3:] == [
        ("buyer_dispute_resolved", "email"),
        ("buyer_dispute_resolved", "sms"),
        ("seller_dispute_resolved", "email"),
    ]
    assert (
        "decided to refund you: 10,000\xa0XOF"
        in Message.objects.get(kind="buyer_dispute_resolved", channel="email").body
    )

    refund = paid.payouts.get()
    transfer_api.settle(refund.client_transaction_id, "VAL")
    committed(lambda: services.refresh_payout(refund, actor=services.Actor.job("test")))
    assert kinds()[-2:] == [("buyer_refund_sent", "email"), ("buyer_refund_sent", "sms")]
    assert sms.outbox[-1] == sms.SmsMessage(
        to=BUYER_PHONE,
        body=f"Refund of 10,000 XOF sent to your number, ref {paid.payment.transaction_id}. "
        f"https://shop.example.com/payments/{paid.payment.transaction_id}/confirm/",
    )


def test_a_dispute_released_to_the_seller(paid, buyer, staff, committed):
    committed(lambda: services.open_dispute(paid, buyer, "late"))
    committed(lambda: services.resolve_dispute(paid, staff, EscrowStatus.RELEASED, "delivered after all"))
    assert (
        "released the 10,000\xa0XOF to the seller"
        in Message.objects.get(kind="buyer_dispute_resolved", channel="email").body
    )
    assert "in your favour: 9,500\xa0XOF" in Message.objects.get(kind="seller_dispute_resolved").body
    assert not Message.objects.filter(kind="seller_funds_released").exists()


def test_a_failed_payout_tells_the_seller(paid, buyer, committed, transfer_api, settings):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = 0
    committed(lambda: services.confirm_receipt(paid, buyer))
    payout = paid.payouts.get()  # sent at once by the task; CinetPay then rejects the transfer
    transfer_api.settle(payout.client_transaction_id, "REJ", "numero invalide")
    committed(lambda: services.refresh_payout(payout, actor=services.Actor.job("test")))
    payout.refresh_from_db()
    assert payout.status == "failed", payout.last_error
    assert kinds(kind="seller_payout_failed") == [
        ("seller_payout_failed", "email"),
        ("seller_payout_failed", "sms"),
    ]


def test_a_duplicate_payment_tells_only_the_buyer_once_refunded(buyer, seller, committed, transfer_api):
    from tests.testapp.models import Listing

    listing = Listing.objects.create(title="Compte", price=10_000, seller=seller)
    first, second = (make_payment(buyer, seller, order=listing) for _ in range(2))  # two open checkouts
    first = committed(lambda: accept(first))
    second = committed(lambda: accept(second, phone="0101010101"))
    assert second.is_duplicate
    assert not Message.objects.filter(payment=second).exists()  # refunded at once: nothing to tell yet

    refund = second.escrow.payouts.get()
    transfer_api.settle(refund.client_transaction_id, "VAL")
    committed(lambda: services.refresh_payout(refund, actor=services.Actor.job("test")))
    assert kinds(payment=second) == [
        ("buyer_duplicate_refunded", "email"),
        ("buyer_duplicate_refunded", "sms"),
    ]
    assert first.transaction_id in Message.objects.get(payment=second, channel="email").body
    assert sms.outbox[-1].to == "+2250101010101"  # the number that paid twice, told on its own phone


def test_a_release_batch_records_its_messages_without_reading_the_payments_again(
    buyer, seller, settings, django_capture_on_commit_callbacks
):
    """The seller's "money released" messages cost their own inserts only: the payments and sellers the
    batch loaded are reused, so the queries grow with the messages, not with lookups per escrow."""
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = 0
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.dummy.DummyBackend"}}

    def released(count: int) -> int:
        for _ in range(count):
            escrow = accept(make_payment(buyer, seller)).escrow
            EscrowTransaction.objects.filter(pk=escrow.pk).update(
                status="confirmed", release_due_at=timezone.now() - dt.timedelta(seconds=1)
            )
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
            assert services.release_due_escrows().released == count
        sql = [q["sql"] for q in captured.captured_queries]
        selects = [statement for statement in sql if statement.startswith("SELECT")]
        read = {statement.split(" FROM ", 1)[1].split()[0] for statement in selects}
        assert read == {'"cinetpay_escrowtransaction"', '"cinetpay_payoutrequest"'}  # no payment, no user
        return len(captured)

    ContentType.objects.get_for_models(EscrowTransaction, PayoutRequest)
    one, three = released(1), released(3)
    # per escrow, its one message (by SMS): the receiver's savepoint, the message's, the INSERT, and the
    # two releases — and nothing read
    assert three - one == 2 * 5
    assert Message.objects.filter(kind=MessageKind.SELLER_FUNDS_RELEASED).count() == 4
