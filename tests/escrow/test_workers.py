"""Several real processes on PostgreSQL share the background work, and money still moves exactly once.

The children (:mod:`tests.escrow.processes`) connect to this test's database, which they see because
the test commits (``transaction=True``); they start together, released by one ``go`` line each.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from django_cinetpay import services
from django_cinetpay.conf import settings
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.services.callbacks import notify_url
from django_cinetpay.simulator.engine import Payment, PaymentState, payment_notification
from django_cinetpay.simulator.models import SimulatedPayment, SimulatedTransfer
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutStatus

from .bulk import due_escrows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"


class Child:
    """One ``tests.escrow.processes`` process, its output read line by line."""

    def __init__(self, role: str, name: str, settings: dict[str, Any], logs: Path) -> None:
        self.name = name
        self.stderr = logs / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "CINETPAY_TEST_POSTGRES": "1",
            "PGDATABASE": connection.settings_dict["NAME"],  # the test database, not the main one
            "PYTHONPATH": str(ROOT),
        }
        with self.stderr.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.escrow.processes", role, name, json.dumps(settings)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )

    def wait_ready(self) -> None:
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise AssertionError(f"{self.name} did not start:\n{self.stderr.read_text()}")

    def send(self, *lines: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("".join(f"{line}\n" for line in lines))
        self.process.stdin.flush()

    def result(self, timeout: float = 60) -> dict[str, Any]:
        """What the child printed last, once it exits."""
        out, _ = self.process.communicate(timeout=timeout)
        if self.process.returncode:
            raise AssertionError(f"{self.name} failed:\n{out}\n{self.stderr.read_text()}")
        return json.loads(out.strip().splitlines()[-1])

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a worker finishes its task first), then wait."""
        self.process.terminate()
        self.process.communicate(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    """``spawn(role, name, settings)`` starts a child; every child is gone when the test ends."""
    children: list[Child] = []

    def start(role: str, name: str, settings: dict[str, Any]) -> Child:
        child = Child(role, name, settings, tmp_path)
        children.append(child)
        return child

    yield start
    for child in children:
        child.kill()


def go(*children: Child) -> None:
    """Release the children together, once every one has set Django up."""
    for child in children:
        child.wait_ready()
    for child in children:
        child.send("go")


def test_four_release_processes_started_together_share_the_escrows(buyer, seller, spawn):
    escrows = due_escrows(buyer, seller, 1_200)
    settings = {"CINETPAY_JOB_BATCH_SIZE": 20, "CINETPAY_ADAPTER": ADAPTER}
    children = [spawn("release", f"release-{i}", settings) for i in range(4)]

    go(*children)
    released = [child.result()["released"] for child in children]

    assert sum(released) == len(escrows), released
    assert min(released) >= 0.15 * len(escrows), released  # each took its share
    assert not EscrowTransaction.objects.exclude(status=EscrowStatus.RELEASED).exists()
    assert PayoutRequest.objects.count() == len(escrows)  # exactly once, with the database constraint
    assert services.find_discrepancies() == []


def test_workers_and_periodic_commands_over_a_thousand_payments(buyer, seller, spawn):
    """Four ``db_worker`` processes, the periodic commands and two notifiers, all at once.

    CinetPay (one for all processes, in the database) has taken 1,000 payments whose notifications were
    lost; two notifiers deliver them again, 200 of them from both processes at the same time. Buyers
    never answer and there is no security period, so the release command pays the sellers as soon as
    the escrows open; each release batch enqueues one ``send_payouts`` task for the workers.
    """
    common = {
        "CINETPAY_ADAPTER": ADAPTER,
        "CINETPAY_ESCROW_AUTO_CONFIRM_AFTER": 0,
        "CINETPAY_ESCROW_SECURITY_PERIOD": 0,
        "CINETPAY_JOB_BATCH_SIZE": 25,
        "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    }
    seller.first_name, seller.last_name = "Koffi", "Kouassi"  # CinetPay's contacts need both names
    seller.save()
    payments = _paid_with_lost_notifications(buyer, seller, 1_000)
    workers = [spawn("worker", f"worker-{i}", common) for i in range(4)]
    cron = spawn("cron", "cron", common)
    notifiers = [spawn("notify", f"notify-{i}", common) for i in range(2)]

    go(*workers, cron, *notifiers)
    for index, notifier in enumerate(notifiers):  # every other payment each, every fifth one both
        ids = [tx.transaction_id for i, tx in enumerate(payments) if i % 2 == index or i % 5 == 0]
        notifier.send(*ids, "")
    answers = [notifier.result(timeout=300)["answers"] for notifier in notifiers]
    sent = PayoutRequest.objects.filter(status__in=[PayoutStatus.SUBMITTED, PayoutStatus.COMPLETED])
    _wait_until(lambda: sent.count() == len(payments))
    for child in [cron, *workers]:
        child.stop()

    assert [set(a) for a in answers] == [{"200"}, {"200"}]  # a duplicate is "already processed"
    assert sum(sum(a.values()) for a in answers) == 1_200  # all delivered, the 200 shared ones twice
    assert CinetPayTransaction.objects.filter(status=PaymentStatus.ACCEPTED).count() == 1_000
    assert EscrowTransaction.objects.filter(status=EscrowStatus.RELEASED).count() == 1_000  # none lost
    assert PayoutRequest.objects.count() == 1_000  # one per escrow
    assert SimulatedTransfer.objects.count() == 1_000  # each sent once: no double payout
    assert services.find_discrepancies() == []
    ran = Counter(w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids)
    assert set(ran) == {f"worker-{i}" for i in range(4)}, ran  # every worker took tasks


def _paid_with_lost_notifications(buyer: Any, seller: Any, count: int) -> list[CinetPayTransaction]:
    """``count`` payments CinetPay has taken and whose notifications were lost.

    Written in bulk, on both sides: ours pending, the fake CinetPay's accepted, with the notification it
    sent (signed by the engine). Through the API a thousand take half a minute, and test nothing here.
    """
    now = timezone.now()
    payments = CinetPayTransaction.objects.bulk_create(
        CinetPayTransaction(
            transaction_id=f"CPW{now:%H%M%S}{i:06d}",  # ids drawn at random may collide by the thousand
            buyer=buyer,
            seller=seller,
            amount=10_000,
            currency="XOF",
            description="Compte Free Fire",
            status=PaymentStatus.PENDING,
            payment_token=f"token{i:06d}",
            checkout_started_at=now,
        )
        for i in range(count)
    )
    sent_at = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    records = []
    for tx in payments:
        paid = Payment(
            token=tx.payment_token,
            transaction_id=tx.transaction_id,
            site_id=settings.CINETPAY_SITE_ID,
            amount=tx.amount,
            currency=tx.currency,
            description=tx.description,
            notify_url=notify_url(),
            return_url="",
            created_at=sent_at,
            state=PaymentState.ACCEPTED.value,
            payment_method="OM",
            phone_number="0707070707",
            phone_prefix="225",
            payment_date=sent_at,
        )
        notification = payment_notification(
            paid,
            secret=settings.CINETPAY_SECRET_KEY,
            sent_at=sent_at,
            signature=tx.payment_token,
            message="SUCCES",
        )
        paid.notifications.append(notification.to_snapshot())
        records.append(
            SimulatedPayment(
                token=paid.token, transaction_id=paid.transaction_id, state=paid.state, record=paid.to_dict()
            )
        )
    SimulatedPayment.objects.bulk_create(records)
    return payments


def _wait_until(condition: Any, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.25)
