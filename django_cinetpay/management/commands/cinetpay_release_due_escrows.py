"""Cron twin of the ``release_due_escrows`` task: release escrows whose security period is over."""

from __future__ import annotations

from typing import Any

from ... import services
from ._batch import BatchCommand


class Command(BatchCommand):
    help = (
        "Release confirmed escrows whose security period is over (a seller payout follows each), after "
        "confirming for buyers who never answered when CINETPAY_ESCROW_AUTO_CONFIRM_AFTER is set. Safe to "
        "run in several processes at once."
    )

    def handle(self, *args: Any, limit: int | None, **options: Any) -> None:
        actor = services.Actor.job("cinetpay_release_due_escrows")
        confirmed, released = services.release_due_escrows(limit=limit, actor=actor)
        self.stdout.write(f"{confirmed} escrow(s) confirmed for silent buyers, {released} released.")
