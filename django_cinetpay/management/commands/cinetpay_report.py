"""The dashboard's figures in a terminal, a spreadsheet or a program: a table, CSV or JSON on stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import exceptions
from ...exports import csv_lines
from ...reports import build_report, parse_currency, parse_period
from ...reports.period import GRANULARITIES
from ...reports.serialise import CSV_COLUMNS, to_dict, to_rows, to_text


class Command(BaseCommand):
    help = (
        "Payments, escrows, payouts and commission for a period (default: the last 30 days), per currency. "
        "JSON keys: period, generated_at, currencies, payments, escrows, payouts, refunds, commission; "
        "amounts are integers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="first day, YYYY-MM-DD (default: 29 days before --until)")
        parser.add_argument("--until", help="last day, YYYY-MM-DD, included (default: today)")
        parser.add_argument("--currency", default="", help="one currency (default: every currency)")
        parser.add_argument("--group", choices=GRANULARITIES, help="day, week or month (default: by length)")
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["since"], options["until"], options["group"])
            currency = parse_currency(options["currency"])
        except exceptions.InvalidInputError as exc:
            raise CommandError(str(exc)) from exc
        report = build_report(period, currency=currency)
        if options["format"] == "json":
            self.stdout.write(json.dumps(to_dict(report), indent=2, ensure_ascii=False))
        elif options["format"] == "csv":
            self.stdout.write("".join(csv_lines(CSV_COLUMNS, to_rows(report))), ending="")
        else:
            self.stdout.write(to_text(report), ending="")
