"""Verify the configuration and that CinetPay accepts the credentials; exit non-zero with a hint if not."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import exceptions
from ...client import get_checkout_client, get_transfer_client
from ...conf import settings


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
        try:
            # An id nobody used: valid credentials give a "not found"-style answer, bad ones 609/613.
            get_checkout_client(check_attempts=1).check_payment("cinetpay-ping-0")
        except exceptions.CinetPayAuthError as exc:
            raise CommandError(f"CinetPay refused the credentials: {exc}") from exc
        except exceptions.CinetPayNetworkError as exc:
            raise CommandError(f"CinetPay could not be reached: {exc}") from exc
        except exceptions.CinetPayAPIError as exc:
            self.stdout.write(f"  credentials accepted (CinetPay answered {exc.code} for a test look-up)")
        else:
            self.stdout.write("  credentials accepted")
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
