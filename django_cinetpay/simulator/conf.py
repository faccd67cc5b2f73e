"""The simulator's settings (prefix ``CINETPAY_SIMULATOR_``), read at call time like the package's own.

``TRANSFER_BALANCE``: the transfer account's starting balance. ``TRANSFER_DELAY``: seconds after which a
transfer is validated on its own (``None``: only from the simulator page). ``FAULTS``: fault rules always
on, e.g. ``["latency=0.5"]`` or ``[{"fault": "5xx", "target": "payment/check", "times": 2}]``.
``MERCHANT_NAME``: shown on the checkout page. ``NOTIFY_TIMEOUT``: seconds to wait for the merchant's
notify_url. ``ALLOW_PRODUCTION``: silence the ``cinetpay.E020`` guard (a staging site, never production).
``ACCOUNTS``: the OAuth API's country accounts, in the shape of CinetPay's SDK credentials,
``{"CI": {"api_key": "sk_test_...", "api_password": "..."}}``; its logins take exactly these (1005
otherwise). Empty (the default): the project's own ``CINETPAY_API_CREDENTIALS``.
"""

from __future__ import annotations

from typing import Any

from appconf import AppConf
from django.core.exceptions import ImproperlyConfigured

from django_cinetpay.conf import settings

from .engine import Credentials, Options, accounts_from, rule_from_setting

__all__ = ["SimulatorConf", "options_from_settings", "settings"]


class SimulatorConf(AppConf):
    ALLOW_PRODUCTION = False
    TRANSFER_BALANCE = 1_000_000
    TRANSFER_DELAY: float | None = 10.0
    FAULTS: list[object] = []
    MERCHANT_NAME = ""
    NOTIFY_TIMEOUT = 10.0
    ACCOUNTS: dict[str, dict[str, str]] = {}

    class Meta:
        prefix = "CINETPAY_SIMULATOR"

    def configure_accounts(self, value: Any) -> Any:
        try:
            accounts_from(value)
        except (ValueError, AttributeError) as exc:
            raise ImproperlyConfigured(f"CINETPAY_SIMULATOR_ACCOUNTS: {exc}") from None
        return value


def options_from_settings() -> Options:
    """The engine's options from the settings, read now.

    A ``timeout`` fault holds the answer half a second past ``CINETPAY_TIMEOUT``, so the client gives up
    while the simulator has already acted, as when CinetPay's answer is lost.
    """
    return Options(
        transfer_balance=int(settings.CINETPAY_SIMULATOR_TRANSFER_BALANCE),
        transfer_delay=settings.CINETPAY_SIMULATOR_TRANSFER_DELAY,
        timeout_delay=float(settings.CINETPAY_TIMEOUT) + 0.5,
        faults=tuple(rule_from_setting(value) for value in settings.CINETPAY_SIMULATOR_FAULTS),
    )


def merchant_name() -> str:
    return settings.CINETPAY_SIMULATOR_MERCHANT_NAME or f"Site {Credentials.from_settings().site_id}"
