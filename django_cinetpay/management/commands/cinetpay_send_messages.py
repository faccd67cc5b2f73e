"""``cinetpay_send_messages``: the periodic work of the messages to buyers and sellers, for cron.

Records the reminders now due (before ``CINETPAY_ESCROW_AUTO_CONFIRM_AFTER`` confirms for a silent
buyer), ends failed the messages a killed worker left half-sent, and sends every message due: retries
after their back-off, and first sends a stopped task queue never made. Safe to run often and in
several places at once: each message is recorded and sent once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...messaging import delivery, reminders


class Command(BaseCommand):
    help = "Record the reminders due and send the messages to buyers and sellers that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=None, help="messages sent at most (default CINETPAY_JOB_BATCH_SIZE)"
        )

    def handle(self, *args: Any, limit: int | None, verbosity: int = 1, **options: Any) -> None:
        if limit is not None and limit < 1:
            raise CommandError("--limit must be a positive number.")
        recorded = reminders.record_reminders()
        sent = delivery.send_due(limit)
        if verbosity:
            self.stdout.write(f"{recorded} reminder(s) recorded, {sent} message(s) sent.")
