"""Cron twin of the ``process_payouts`` task: send, settle and re-check payouts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from ... import services
from ._batch import BatchCommand


class Command(BatchCommand):
    help = (
        "Send pending payouts and refunds through CinetPay's Transfer API, look up those whose send had "
        "an unknown outcome (never sending twice), and re-check those CinetPay has not finished. Safe to "
        "run in several processes at once."
    )

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        report = services.process_payouts(limit=limit, actor=services.Actor.job("cinetpay_process_payouts"))
        for result in report.steps:
            payout = result.payout
            line = f"  {payout.client_transaction_id} {payout.kind} {payout.amount} {payout.currency}: "
            line += f"{result.step.value} → {payout.status}"
            if result.error is not None or payout.last_error:
                line += f" ({result.error or payout.last_error})"
            self.stdout.write(line)
        counts = ", ".join(
            f"{report.count(step)} {step.value}" for step in services.Step if report.count(step)
        )
        self.stdout.write(f"{len(report.steps)} payout(s) handled{': ' + counts if counts else ''}.")
        if report.stopped_by is not None:
            raise CommandError(f"Stopped early, the rest waits for the next run: {report.stopped_by}")
