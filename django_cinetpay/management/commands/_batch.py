"""What the cron twins of the batch tasks share (not a command: Django skips ``_`` modules here)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser


class BatchCommand(BaseCommand):
    """A job run over at most ``--limit`` rows; safe to run in several processes at once."""

    #: What ``--limit`` bounds and what happens without it, for ``--help``.
    limit_help = "at most N rows this run (default CINETPAY_JOB_BATCH_SIZE); the rest waits for the next run"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, metavar="N", help=self.limit_help)
