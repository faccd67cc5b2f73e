"""Verify the configuration and that CinetPay accepts the credentials; exit non-zero with a hint if not."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import exceptions
from ...client import get_transfer_client
from ...conf import settings
from ...health.remote import ping_checkout
from ...health.results import Level


class Command(BaseCommand):
    help = "Check django-cinetpay's settings and CinetPay's answer to our credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-transfer", action="store_true", help="do not log in to the Transfer API")

    def handle(self, *args: Any, skip_transfer: bool, **options: Any) -> None:
        problems = [m for m in checks.run_checks(tags=["cinetpay"]) if m.level >= checks.ERROR]
        for message in problems:
            self.stderr.write(f"{message.id}: {message.msg}\n  hint: {message.hint}")
        if problems:
            raise CommandError("Fix the settings above first.")
        self.stdout.write(f"Checkout API: {settings.CINETPAY_CHECKOUT_API_URL}")
        level, text = ping_checkout()  # the same look-up the health check makes
        if level is not Level.OK:
            raise CommandError(text)
        self.stdout.write(f"  {text}")
        if skip_transfer or not settings.CINETPAY_TRANSFER_PASSWORD:
            self.stdout.write("Transfer API: skipped (no CINETPAY_TRANSFER_PASSWORD, or --skip-transfer)")
        else:
            self._ping_transfer()
        self.stdout.write(self.style.SUCCESS("CinetPay is reachable and accepts the credentials."))

    def _ping_transfer(self) -> None:
        self.stdout.write(f"Transfer API: {settings.CINETPAY_TRANSFER_API_URL}")
        try:
            balance = get_transfer_client().get_balance()
        except exceptions.CinetPayError as exc:
            raise CommandError(f"The Transfer API refused us: {exc}") from exc
        self.stdout.write(f"  logged in; available balance {balance.available}")
