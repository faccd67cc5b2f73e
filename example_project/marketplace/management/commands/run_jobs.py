"""``manage.py run_jobs``: django-cinetpay's time-based jobs, every few seconds: the demo's cron.

A release is due when a security period ends, and a submitted payout finishes when CinetPay (here the
simulator) validates the transfer: nothing happens at those moments unless something looks. In
production, cron runs ``cinetpay_release_due_escrows`` and ``cinetpay_process_payouts``; this loop does
the same in one process so the demo needs no cron. Sending a payout is not its job: a release queues
it, and the task worker (``manage.py db_worker``) sends it at once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from django_cinetpay import services

logger = logging.getLogger("marketplace")


class Command(BaseCommand):
    help = "Release escrows whose security period is over and move payouts forward, every few seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between runs (default GAMESHOP_JOBS_INTERVAL)",
        )
        parser.add_argument("--once", action="store_true", help="run the jobs once and stop")

    def handle(self, *args: Any, interval: float | None, once: bool, **options: Any) -> None:
        interval = settings.GAMESHOP_JOBS_INTERVAL if interval is None else interval
        if not once:
            self.stdout.write(f"Running the release and payout jobs every {interval:g} s (Ctrl-C stops).")
        while True:
            try:
                self.run_once()
            except Exception:
                # One bad run (e.g. the simulator restarting) must not stop the demo's payouts for good.
                logger.exception("The release and payout jobs failed; trying again in %s s", interval)
            if once:
                return
            time.sleep(interval)

    def run_once(self) -> None:
        released = services.release_due_escrows(actor=services.Actor.job("run_jobs"))
        report = services.process_payouts(actor=services.Actor.job("run_jobs"))
        call_command("cinetpay_send_messages", verbosity=0)  # reminders, retries of messages
        if released.released:
            self.stdout.write(f"{released.released} escrow(s) released.")
        for escrow, error in released.errors:
            self.stderr.write(f"Escrow {escrow.payment.transaction_id} not released: {error}")
        for result in report.steps:
            if result.step is not services.Step.WAITING:
                self.stdout.write(f"Payout {result.payout.client_transaction_id}: {result.payout.status}.")
