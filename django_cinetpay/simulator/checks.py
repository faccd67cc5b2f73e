"""The simulator's guard: it accepts any payment and must never face real customers."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.checks import CheckMessage

from .conf import settings


@checks.register(checks.Tags.security, "cinetpay")
def check_not_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or settings.CINETPAY_SIMULATOR_ALLOW_PRODUCTION:
        return []
    return [
        checks.Error(
            "django_cinetpay.simulator is installed while DEBUG is False: it fakes CinetPay and accepts "
            "payments that were never made.",
            hint="Remove 'django_cinetpay.simulator' from INSTALLED_APPS (and its URLs) in production. For a "
            "staging site that must use it, set CINETPAY_SIMULATOR_ALLOW_PRODUCTION = True.",
            id="cinetpay.E020",
        )
    ]
