"""Verify the configuration and that CinetPay accepts the credentials; exit non-zero with a hint if not.

Checkout v2 (``CINETPAY_BACKEND = "checkout_v2"``): a look-up at the Checkout API and a login to the
Transfer API. The CinetPay API (``"api"``): a login to each country's account, so a wrong pair is found
before a buyer of that country meets it.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import exceptions
from ...client import API, BACKENDS, ApiTransferClient, get_transfer_client
from ...conf import settings
from ...health.remote import ping_checkout
from ...health.results import Level


class Command(BaseCommand):
    help = "Check django-cinetpay's settings and CinetPay's answer to our credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-transfer", action="store_true", help="do not log in to the Transfer API")
        parser.add_argument(
            "--backend", choices=BACKENDS, help="the API to check (default: CINETPAY_BACKEND)"
        )

    def handle(self, *args: Any, skip_transfer: bool, backend: str | None, **options: Any) -> None:
        problems = [m for m in checks.run_checks(tags=["cinetpay"]) if m.level >= checks.ERROR]
        for message in problems:
            self.stderr.write(f"{message.id}: {message.msg}\n  hint: {message.hint}")
        if problems:
            raise CommandError("Fix the settings above first.")
        if (backend or settings.CINETPAY_BACKEND) == API:
            self._ping_api()
        else:
            self._ping_checkout_v2(skip_transfer)
        self.stdout.write(self.style.SUCCESS("CinetPay is reachable and accepts the credentials."))

    def _ping_checkout_v2(self, skip_transfer: bool) -> None:
        self.stdout.write(f"Checkout API: {settings.CINETPAY_CHECKOUT_API_URL}")
        level, text = ping_checkout()  # the same look-up the health check makes
        if level is not Level.OK:
            raise CommandError(text)
        self.stdout.write(f"  {text}")
        if skip_transfer or not settings.CINETPAY_TRANSFER_PASSWORD:
            self.stdout.write("Transfer API: skipped (no CINETPAY_TRANSFER_PASSWORD, or --skip-transfer)")
        else:
            self._ping_transfer()

    def _ping_transfer(self) -> None:
        self.stdout.write(f"Transfer API: {settings.CINETPAY_TRANSFER_API_URL}")
        try:
            balance = get_transfer_client().get_balance()
        except exceptions.CinetPayError as exc:
            raise CommandError(f"The Transfer API refused us: {exc}") from exc
        self.stdout.write(f"  logged in; available balance {balance.available}")

    def _ping_api(self) -> None:
        """Log in to every country's account; list each outcome, then fail if any login failed."""
        try:
            client = get_transfer_client(API, check_attempts=1)
        except exceptions.CinetPayConfigurationError as exc:
            raise CommandError(str(exc)) from exc
        assert isinstance(client, ApiTransferClient)
        connection = client.connection
        self.stdout.write(f"CinetPay API: {connection.base_url}")
        failed = []
        for country in connection.countries:
            try:
                connection.check_login(country)
            except exceptions.CinetPayError as exc:
                failed.append(country)
                self.stderr.write(f"  {country}: the login was refused: {exc}")
            else:
                self.stdout.write(f"  {country}: logged in")
        if failed:
            raise CommandError(f"CinetPay refused the credentials of {', '.join(failed)}.")
