"""Re-check with CinetPay the payments whose outcome may still change (lost notifications, closed tabs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...services import recheck
from ...services.audit import Actor


class Command(BaseCommand):
    help = (
        "Re-check payments not final at CinetPay: open ones whose checkout started more than --older-than "
        "minutes ago, and failed ones still payable (CINETPAY_PAYMENT_RECHECK_WINDOW), less often as they "
        "age; then process again the stored notifications that could not be confirmed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=15,
            metavar="MINUTES",
            help="only open payments whose checkout started at least this long ago (default 15)",
        )
        parser.add_argument("--limit", type=int, default=500, help="at most this many payments (default 500)")
        parser.add_argument("--dry-run", action="store_true", help="list the payments, call nothing")

    def handle(self, *args: Any, older_than: int, limit: int, dry_run: bool, **options: Any) -> None:
        since = dt.timedelta(minutes=older_than)
        if dry_run:
            payments = recheck.payments_to_recheck(older_than=since, limit=limit)
            self.stdout.write(f"{len(payments)} payment(s) to re-check.")
            for tx in payments:
                self.stdout.write(f"  {tx.transaction_id} {tx.status} {tx.amount} {tx.currency} (dry run)")
            return
        report = recheck.recheck_payments(
            older_than=since, limit=limit, actor=Actor.job("cinetpay_check_pending")
        )
        self.stdout.write(f"{len(report.outcomes) + len(report.errors)} payment(s) re-checked.")
        for outcome in report.outcomes:
            tx = outcome.transaction
            self.stdout.write(f"  {tx.transaction_id}: {outcome.outcome.value} → {tx.status}")
        for tx, exc in report.errors:
            self.stderr.write(f"  {tx.transaction_id}: {exc}")
        if report.notifications:
            self.stdout.write(f"{report.notifications} stored notification(s) processed again.")
        if report.errors:
            self.stderr.write(self.style.WARNING(f"{len(report.errors)} payment(s) could not be checked."))
