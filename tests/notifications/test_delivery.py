"""Sending: once, retried with a doubling back-off while the provider fails, then failed with its error."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from django_cinetpay import services, tasks
from django_cinetpay.messaging import delivery
from django_cinetpay.models import Message, MessageState
from django_cinetpay.states import EscrowStatus

from ..escrow.conftest import TASKS_MODULE, accept, make_payment

DUMMY = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued(settings, buyer, seller, committed):
    """The buyer's and seller's messages of an accepted payment, recorded and queued (tasks not run)."""
    settings.TASKS = DUMMY
    tasks.send_message.get_backend().clear()
    committed(lambda: accept(make_payment(buyer, seller)))
    return list(Message.objects.order_by("pk"))


def test_messages_are_queued_after_commit_and_sent_by_the_task(queued, mailoutbox, sms_outbox):
    backend = tasks.send_message.get_backend()
    assert [(r.task.name, r.args) for r in backend.results] == [("send_message", [m.pk]) for m in queued]
    assert all(m.state == MessageState.PENDING for m in queued)
    for message in queued:
        assert tasks.send_message.call(message.pk) == MessageState.SENT
    assert (len(mailoutbox), len(sms_outbox)) == (2, 2)
    # A job run again (a retried task, a second worker later) sends nothing more.
    assert {tasks.send_message.call(m.pk) for m in queued} == {MessageState.SENT}
    assert (len(mailoutbox), len(sms_outbox)) == (2, 2)


def test_a_failing_provider_is_retried_with_back_off_then_the_message_fails(
    queued, settings, sms_outbox, caplog
):
    settings.CINETPAY_SMS_BACKEND = "tests.notifications.backends.DownSmsBackend"
    settings.CINETPAY_MESSAGE_MAX_ATTEMPTS = 3
    message = next(m for m in queued if m.channel == "sms")
    backend = tasks.send_message.get_backend()
    backend.clear()

    before = timezone.now()
    assert tasks.send_message.call(message.pk) == MessageState.PENDING
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == "SmsError: Gateway timeout"
    assert dt.timedelta(seconds=59) < message.next_attempt_at - before < dt.timedelta(seconds=62)
    assert [(r.task.name, r.args, r.task.run_after) for r in backend.results] == [
        ("send_message", [message.pk], message.next_attempt_at)  # the next attempt, deferred
    ]

    assert not delivery.deliver(message.pk).made  # not due yet: nothing is sent early
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert tasks.send_message.call(message.pk) == MessageState.PENDING
    message.refresh_from_db()
    assert message.next_attempt_at - timezone.now() > dt.timedelta(seconds=110)  # doubled

    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert tasks.send_message.call(message.pk) == MessageState.FAILED
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (3, None)
    assert message.last_error == "SmsError: Gateway timeout"
    assert sms_outbox == []
    assert "failed after 3 attempt(s)" in caplog.text
    assert Message.objects.exclude(pk=message.pk).filter(state=MessageState.FAILED).count() == 0


def test_a_permanent_refusal_is_not_retried(queued, settings):
    settings.CINETPAY_SMS_BACKEND = "tests.notifications.backends.RefusingSmsBackend"
    message = next(m for m in queued if m.channel == "sms")
    assert tasks.send_message.call(message.pk) == MessageState.FAILED
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "SmsError: InvalidPhoneNumber")


def test_an_smtp_failure_is_retried_like_any_other(queued, mailoutbox):
    """The mail server refusing the connection (what an SMTP backend raises), whatever backend is set."""
    message = next(m for m in queued if m.channel == "email")
    refused = ConnectionRefusedError(111, "Connection refused")
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused):
        assert tasks.send_message.call(message.pk) == MessageState.PENDING
    message.refresh_from_db()
    assert message.last_error.startswith("ConnectionRefusedError")
    assert delivery.send_due() == 3  # the three the queue never ran; its back-off is not over
    message.refresh_from_db()
    assert message.state == MessageState.PENDING
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert delivery.send_due() == 1
    assert len(mailoutbox) == 2


def test_a_provider_that_keeps_failing_changes_nothing_else(buyer, seller, committed, settings):
    settings.CINETPAY_SMS_BACKEND = "tests.notifications.backends.DownSmsBackend"
    settings.CINETPAY_MESSAGE_MAX_ATTEMPTS = 1
    payment = committed(lambda: accept(make_payment(buyer, seller)))
    assert payment.escrow.status == EscrowStatus.HELD
    assert sorted(Message.objects.values_list("channel", "state")) == [
        ("email", "sent"),
        ("email", "sent"),
        ("sms", "failed"),
        ("sms", "failed"),
    ]
    committed(lambda: services.confirm_receipt(payment.escrow, buyer))  # the money goes on as usual
    payment.escrow.refresh_from_db()
    assert payment.escrow.status == EscrowStatus.CONFIRMED


def test_staff_send_a_failed_message_again(queued, settings, sms_outbox):
    settings.CINETPAY_SMS_BACKEND = "tests.notifications.backends.RefusingSmsBackend"
    message = next(m for m in queued if m.channel == "sms")
    tasks.send_message.call(message.pk)
    settings.CINETPAY_SMS_BACKEND = "django_cinetpay.sms.backends.locmem.SmsBackend"
    assert not delivery.resend(Message.objects.get(pk=queued[0].pk))  # not failed: nothing to do
    assert delivery.resend(message)
    assert tasks.send_message.call(message.pk) == MessageState.SENT
    assert [m.body for m in sms_outbox] == [message.body]


def test_a_message_left_sending_ends_failed_and_is_not_sent_again(queued, sms_outbox):
    message = queued[1]
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.SENDING, updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    call_command("cinetpay_send_messages")
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "may have gone out" in message.last_error
    assert message.body not in [m.body for m in sms_outbox]
    assert len(mail.outbox) + len(sms_outbox) == 3  # the other three, sent by the sweep
