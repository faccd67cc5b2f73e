"""django-health-check plugin (optional): the package's checks on the project's health endpoint.

Needs ``django-health-check`` 4 or later, which django-cinetpay does not install. Add the checks to the
project's view::

    from health_check.views import HealthCheckView

    path("health/", HealthCheckView.as_view(checks=[
        "health_check.checks.Database",
        "django_cinetpay.health.contrib.CinetPayHealthCheck",          # every check
        ("django_cinetpay.health.contrib.CinetPayHealthCheck", {"check": "payouts"}),  # one of them
    ]))

A finding that needs a person or a configuration error makes the endpoint fail (``ServiceUnavailable``);
a warning is reported as django-health-check's ``ServiceWarning``.
"""

from __future__ import annotations

import dataclasses

from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable, ServiceWarning

from . import CHECKS, run_checks
from .results import Level


@dataclasses.dataclass
class CinetPayHealthCheck(HealthCheck):
    """django-cinetpay's health checks, all of them or the one named by ``check`` (an id of
    :data:`~django_cinetpay.health.CHECKS`); ``network=False`` leaves out the calls to CinetPay."""

    check: str | None = None
    network: bool = True

    def __post_init__(self) -> None:
        if self.check is not None and self.check not in CHECKS:
            raise ValueError(f"Unknown django-cinetpay check {self.check!r}; use one of {', '.join(CHECKS)}.")

    def run(self) -> None:
        report = run_checks(network=self.network, only=None if self.check is None else [self.check])
        problems = [f for f in report.findings if f.level >= Level.WARNING]
        if not problems:
            return
        text = "; ".join(f"{f.title}: {f.summary}" for f in problems)
        if report.level >= Level.ALERT:
            raise ServiceUnavailable(text)
        raise ServiceWarning(text)
