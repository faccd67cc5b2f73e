"""Re-check with CinetPay the payments that stayed pending (a lost notification, a closed browser)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ... import exceptions, services
from ...models import CinetPayTransaction


class Command(BaseCommand):
    help = "Re-check payments whose checkout started more than --older-than minutes ago and are not final."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=15,
            metavar="MINUTES",
            help="only payments whose checkout started at least this long ago (default 15)",
        )
        parser.add_argument("--limit", type=int, default=500, help="at most this many payments (default 500)")
        parser.add_argument("--dry-run", action="store_true", help="list the payments, call nothing")

    def handle(self, *args: Any, older_than: int, limit: int, dry_run: bool, **options: Any) -> None:
        payments = list(
            CinetPayTransaction.objects.stale_pending(dt.timedelta(minutes=older_than)).order_by("pk")[:limit]
        )
        self.stdout.write(f"{len(payments)} payment(s) to re-check.")
        failures = 0
        for tx in payments:
            if dry_run:
                self.stdout.write(f"  {tx.transaction_id} {tx.status} {tx.amount} {tx.currency} (dry run)")
                continue
            try:
                outcome = services.refresh_payment(tx, actor=services.Actor.job("cinetpay_check_pending"))
            except exceptions.CinetPayError as exc:
                failures += 1
                self.stderr.write(f"  {tx.transaction_id}: {exc}")
                continue
            self.stdout.write(
                f"  {tx.transaction_id}: {outcome.outcome.value} → {outcome.transaction.status}"
            )
        if failures:
            self.stderr.write(self.style.WARNING(f"{failures} payment(s) could not be checked."))
