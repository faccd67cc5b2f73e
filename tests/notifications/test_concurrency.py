"""Races on PostgreSQL with real threads: each message is recorded once and sent once."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from django_cinetpay import sms, tasks
from django_cinetpay.messaging import delivery
from django_cinetpay.messaging.outbox import announce
from django_cinetpay.models import CinetPayTransaction, Message, MessageState
from django_cinetpay.sms import SmsMessage
from django_cinetpay.sms.backends.locmem import SmsBackend as LocmemSmsBackend

from ..escrow.conftest import TASKS_MODULE, accept, make_payment
from ..escrow.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowSmsBackend(LocmemSmsBackend):
    """A provider that takes its time, so a second sender has every chance to come in meanwhile."""

    lock = threading.Lock()

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        time.sleep(0.2)
        with self.lock:
            return super().send_messages(messages)


@pytest.fixture
def queued(settings, buyer, seller, sms_outbox) -> CinetPayTransaction:
    """An accepted payment whose messages are recorded, not sent (the task queue only records)."""
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.dummy.DummyBackend"}}
    settings.CINETPAY_SMS_BACKEND = "tests.notifications.test_concurrency.SlowSmsBackend"
    return accept(make_payment(buyer, seller))


def test_two_workers_racing_on_one_message_send_it_once(queued, mailoutbox):
    message = Message.objects.get(recipient=queued.buyer, channel="sms")
    results = race(*[lambda: tasks.send_message.call(message.pk)] * 2)
    # The loser finds it being sent (or, if it came late, sent): it never sends it a second time.
    assert set(results) <= {MessageState.SENDING, MessageState.SENT}, results
    assert [m.body for m in sms.outbox] == [message.body]
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.SENT, 1)


def test_sweeps_and_tasks_racing_send_each_message_once(queued, mailoutbox):
    ids = list(Message.objects.values_list("pk", flat=True))
    results = race(
        delivery.send_due,
        delivery.send_due,
        *[lambda pk=pk: tasks.send_message.call(pk) for pk in ids],
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(sms.outbox) == 2
    assert len(mailoutbox) == 2
    assert set(Message.objects.values_list("state", "attempts")) == {(MessageState.SENT, 1)}


def test_an_event_announced_by_ten_processes_at_once_is_recorded_once(queued):
    Message.objects.all().delete()
    event = f"payment_accepted:{queued.transaction_id}"

    def hear() -> int:
        payment = CinetPayTransaction.objects.select_related("buyer", "seller").get(pk=queued.pk)
        return len(announce("buyer_payment_accepted", event, payment))

    results = race(*[hear] * 10)
    assert sum(results) == 2, results  # e-mail and SMS, each recorded by one of them
    assert sorted(Message.objects.values_list("kind", "channel")) == [
        ("buyer_payment_accepted", "email"),
        ("buyer_payment_accepted", "sms"),
    ]
