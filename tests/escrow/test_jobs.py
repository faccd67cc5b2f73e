"""Background work: tasks enqueued after commit, the tasks themselves, and their cron commands."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_cinetpay import services, tasks
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PayoutStatus

from .conftest import TASKS_MODULE, accept, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(buyer, seller):  # type: ignore[no-untyped-def]
    """Two confirmed escrows whose security period is over."""
    escrows = [accept(make_payment(buyer, seller)).escrow for _ in range(2)]
    for escrow in escrows:
        services.confirm_receipt(escrow, buyer)
    EscrowTransaction.objects.update(release_due_at=timezone.now() - dt.timedelta(seconds=1))
    return escrows


def test_a_release_enqueues_one_send_task_per_batch_after_commit(
    due, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.CINETPAY_JOB_BATCH_SIZE = 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_due_escrows.call() == {"confirmed": 0, "released": 2, "failed": 0}
    payouts = list(PayoutRequest.objects.order_by("pk"))
    assert [(r.task.name, r.args) for r in enqueued] == [("send_payouts", [[p.pk]]) for p in payouts]


def test_with_an_immediate_backend_the_payout_is_sent_right_after_commit(
    escrow, buyer, settings, transfer_api, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.immediate.ImmediateBackend"}}
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_receipt(escrow, buyer)
        assert transfer_api.sends == []  # nothing leaves before the commit
    payout = PayoutRequest.objects.get()
    assert payout.status == PayoutStatus.SUBMITTED
    assert transfer_api.sends_of(payout.client_transaction_id) == 1


def test_a_task_queue_that_is_down_does_not_break_the_release(
    escrow, buyer, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "tests.escrow.test_jobs.BrokenBackend"}}
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        services.confirm_receipt(escrow, buyer)
    escrow.refresh_from_db()
    assert escrow.status == EscrowStatus.RELEASED
    assert PayoutRequest.objects.get().status == PayoutStatus.PENDING  # the cron command will send it
    assert "queue down" in caplog.text


def _dummy_backend():  # type: ignore[no-untyped-def]
    from importlib import import_module

    return import_module(f"{TASKS_MODULE}.backends.dummy").DummyBackend


class BrokenBackend(_dummy_backend()):  # type: ignore[misc]
    def enqueue(self, task, args, kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("queue down")


def test_the_tasks_run_the_services(due, transfer_api, caplog):
    assert tasks.release_due_escrows.call() == {"confirmed": 0, "released": 2, "failed": 0}
    first, second = PayoutRequest.objects.order_by("pk")
    assert tasks.send_payout.call(first.pk) == PayoutStatus.SUBMITTED
    assert tasks.send_payouts.call([first.pk, second.pk]) == 2  # the first is only looked at again
    assert tasks.process_payouts.call() == 0
    assert PayoutRequest.objects.filter(status=PayoutStatus.SUBMITTED).count() == 2
    assert tasks.reconcile.call() == 0
    PayoutRequest.objects.filter(pk=first.pk).update(amount=1)
    with caplog.at_level(logging.ERROR, "django_cinetpay"):
        assert tasks.reconcile.call() == 1
    assert "Reconcile: [payout-escrow-mismatch]" in caplog.text


def test_the_release_command(due, capsys):
    call_command("cinetpay_release_due_escrows")
    assert capsys.readouterr().out == "0 escrow(s) confirmed for silent buyers, 2 released.\n"
    change = services.history(due[0]).last()
    assert change.actor_label == "cinetpay_release_due_escrows"


def test_the_release_command_respects_its_limit(due, capsys):
    call_command("cinetpay_release_due_escrows", "--limit", "1")
    assert "1 released" in capsys.readouterr().out
    assert EscrowTransaction.objects.filter(status=EscrowStatus.RELEASED).count() == 1


def test_the_payout_command_reports_each_payout(due, transfer_api, capsys):
    services.release_due_escrows()
    call_command("cinetpay_process_payouts")
    out = capsys.readouterr().out
    assert out.count(": sent → submitted") == 2
    assert out.endswith("2 payout(s) handled: 2 sent.\n")


def test_the_payout_command_fails_when_cinetpay_cannot_be_used(due, transfer_api, capsys):
    services.release_due_escrows()
    transfer_api.fail_next("login", "701")
    with pytest.raises(CommandError, match="Stopped early"):
        call_command("cinetpay_process_payouts")
    assert "1 payout(s) handled: 1 error." in capsys.readouterr().out
    assert not PayoutRequest.objects.exclude(status=PayoutStatus.PENDING).exists()
