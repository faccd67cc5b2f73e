"""Is the payment side of the site well? For cron and uptime checkers: the exit code says.

Exit codes: 0 healthy (warnings are printed but do not fail), 1 something needs a person (money waits
that no job will move alone: a failed payout, an unknown one for too long, a payment or an escrow stuck,
CinetPay unreachable, a Transfer balance too low), 2 the configuration is wrong (a system check error,
credentials CinetPay refuses; also a wrong command line).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ...health import CHECKS, Level, run_checks


class Command(BaseCommand):
    help = (
        "Check django-cinetpay's configuration, stored notifications, stuck payments, payouts and escrows, "
        "and CinetPay itself. Exit 0 when healthy, 1 when something needs a person, 2 on a configuration "
        "error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--no-network", action="store_true", help="do not call CinetPay (no ping, no Transfer balance)"
        )
        parser.add_argument("--check", action="append", choices=list(CHECKS), help="run only this check")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_checks(network=not options["no_network"], only=options["check"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        else:
            styles = {
                Level.OK: self.style.SUCCESS,
                Level.WARNING: self.style.WARNING,
                Level.ALERT: self.style.ERROR,
                Level.ERROR: self.style.ERROR,
            }
            for finding in report.findings:
                self.stdout.write(
                    styles[finding.level](f"[{finding.level.label}] {finding.title}: {finding.summary}")
                )
                for line in finding.details:
                    self.stdout.write(f"    {line}")
            self.stdout.write(f"{report.level.label} (exit code {report.exit_code})")
        if report.exit_code:
            sys.exit(report.exit_code)
