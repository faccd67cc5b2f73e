"""Cron twin of the ``reconcile`` task: prove the money invariants over the whole database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...services import reconcile


class Command(BaseCommand):
    help = (
        "Check that every accepted payment is escrowed, every escrow splits exactly, every resolved escrow "
        "has exactly one payout that counts, no money is sent twice, and totals per currency balance. "
        "Prints every discrepancy and exits non-zero when there is any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for entry in reconcile.totals().values():
            self.stdout.write(
                f"{entry.currency}: paid in {entry.paid_in}, held {entry.held}, released {entry.released} "
                f"(commission {entry.commission}), refunded {entry.refunded}; paid out {entry.paid_out} "
                f"of {entry.owed_out} owed, {entry.in_flight} in flight"
            )
        for line in reconcile.needs_attention():
            self.stdout.write(self.style.WARNING(f"attention: {line}"))
        found = reconcile.find_discrepancies()
        for discrepancy in found:
            self.stderr.write(self.style.ERROR(str(discrepancy)))
        if found:
            raise CommandError(f"{len(found)} discrepancy(ies) found.")
        self.stdout.write(self.style.SUCCESS("No discrepancies."))
