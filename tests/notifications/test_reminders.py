"""The reminder before a silent buyer's purchase is confirmed for them: once, by the periodic sweep."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from django_cinetpay import sms, tasks
from django_cinetpay.messaging.reminders import record_reminders
from django_cinetpay.models import EscrowTransaction, Message

from .conftest import kinds


def age(escrow: EscrowTransaction, days: float) -> None:
    EscrowTransaction.objects.filter(pk=escrow.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_no_reminder_without_automatic_confirmation(paid):
    age(paid, 30)
    assert record_reminders() == 0


def test_the_buyer_is_reminded_once_a_day_before(paid, settings, capsys):
    settings.CINETPAY_ESCROW_AUTO_CONFIRM_AFTER = dt.timedelta(days=7)
    age(paid, 5.9)
    call_command("cinetpay_send_messages")
    assert not Message.objects.filter(kind="buyer_confirm_reminder").exists()

    age(paid, 6.1)
    call_command("cinetpay_send_messages")
    assert kinds(kind="buyer_confirm_reminder") == [
        ("buyer_confirm_reminder", "email"),
        ("buyer_confirm_reminder", "sms"),
    ]
    assert "2 reminder(s) recorded" in capsys.readouterr().out
    assert sms.outbox[-1].body.startswith(
        f"Received {paid.payment.transaction_id}? Confirm, or report a problem by "
    )

    assert tasks.send_due_messages.call() == {"reminders": 0, "sent": 0}  # again: nothing new
    call_command("cinetpay_send_messages")
    assert Message.objects.filter(kind="buyer_confirm_reminder").count() == 2


def test_only_held_escrows_are_reminded(paid, buyer, settings, committed):
    from django_cinetpay import services

    settings.CINETPAY_ESCROW_AUTO_CONFIRM_AFTER = 3 * 24 * 3600
    committed(lambda: services.confirm_receipt(paid, buyer))
    age(paid, 2.5)
    assert record_reminders() == 0
