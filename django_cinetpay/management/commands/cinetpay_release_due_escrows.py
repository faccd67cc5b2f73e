"""Cron twin of the ``release_due_escrows`` task: release escrows whose security period is over."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ... import services


class Command(BaseCommand):
    help = (
        "Release confirmed escrows whose security period is over (a seller payout follows each), after "
        "confirming for buyers who never answered when CINETPAY_ESCROW_AUTO_CONFIRM_AFTER is set. Safe to "
        "run in several processes at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="at most this many escrows (default CINETPAY_JOB_BATCH_SIZE)",
        )

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        actor = services.Actor.job("cinetpay_release_due_escrows")
        confirmed, released = services.release_due_escrows(limit=limit, actor=actor)
        self.stdout.write(f"{confirmed} escrow(s) confirmed for silent buyers, {released} released.")
