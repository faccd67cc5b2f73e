"""Cron twin of the ``release_due_escrows`` task: release escrows whose security period is over."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from ... import services
from ._batch import BatchCommand


class Command(BatchCommand):
    help = (
        "Release confirmed escrows whose security period is over (a seller payout follows each), after "
        "confirming for buyers who never answered when CINETPAY_ESCROW_AUTO_CONFIRM_AFTER is set. Works in "
        "batches of CINETPAY_JOB_BATCH_SIZE, each its own transaction; safe to run in several processes at "
        "once, which then share the escrows. Exits non-zero when an escrow could not be released."
    )
    limit_help = (
        "at most N escrows confirmed and N released this run (default: every one due); the rest waits "
        "for the next run"
    )

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        actor = services.Actor.job("cinetpay_release_due_escrows")
        report = services.release_due_escrows(limit=limit, actor=actor)
        self.stdout.write(
            f"{report.confirmed} escrow(s) confirmed for silent buyers, {report.released} released."
        )
        for escrow, error in report.errors:
            self.stderr.write(f"  escrow {escrow.pk} ({escrow.payment.transaction_id}): {error}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} escrow(s) could not be released; they wait for the next run."
            )
