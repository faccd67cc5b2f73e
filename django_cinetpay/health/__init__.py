"""Is the payment side of the site well? One set of checks for the ``cinetpay_health`` command, the staff
health page and django-health-check (:mod:`.contrib`).

Each check is a function of "now" returning a :class:`Finding`; :func:`run_checks` runs them in order and
gives a :class:`HealthReport`, whose level maps to the command's exit code (:data:`EXIT_CODES`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone

from . import local, remote
from .results import EXIT_CODES, Finding, HealthReport, Level

__all__ = ["CHECKS", "EXIT_CODES", "NETWORK_CHECKS", "Finding", "HealthReport", "Level", "run_checks"]

#: Every check by its stable id, in the order reports list them.
CHECKS: dict[str, Callable[[dt.datetime], Finding]] = {
    "configuration": local.configuration,
    "notifications": local.notifications,
    "payments": local.payments,
    "payouts": local.payouts,
    "escrows": local.escrows,
    "cinetpay": remote.reachability,
    "balance": remote.balance,
}
#: The checks that call CinetPay (left out with ``network=False``).
NETWORK_CHECKS = frozenset({"cinetpay", "balance"})


def run_checks(
    *, network: bool = True, only: Iterable[str] | None = None, now: dt.datetime | None = None
) -> HealthReport:
    """Run the checks (``only`` those named, in their usual order); ``network=False`` skips CinetPay.

    The CinetPay checks are skipped too when the configuration has errors: with keys missing or wrong,
    asking CinetPay would only repeat what the configuration check says.
    """
    now = now or timezone.now()
    wanted = set(CHECKS if only is None else only)
    if not network:
        wanted -= NETWORK_CHECKS
    findings: list[Finding] = []
    for name, check in CHECKS.items():
        if name not in wanted:
            continue
        if name in NETWORK_CHECKS and any(
            f.level == Level.ERROR and f.check == "configuration" for f in findings
        ):
            continue
        findings.append(check(now))
    return HealthReport(tuple(findings), now)
