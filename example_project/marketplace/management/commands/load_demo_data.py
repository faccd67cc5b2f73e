"""``manage.py load_demo_data``: the demo's games, accounts and listings (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ... import demo


class Command(BaseCommand):
    help = "Create the demo games, accounts and listings that are missing. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load()
        self.stdout.write(
            "Demo data: {accounts} account(s), {games} game(s), {listings} listing(s) created.".format(
                **created
            )
        )
        for account in demo.ACCOUNTS:
            self.stdout.write(f"  {account.role:7} {account.username} / {account.password}")
