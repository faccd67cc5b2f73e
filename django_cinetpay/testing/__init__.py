"""Test CinetPay flows inside the test process: no server, no keys, no internet.

:class:`CinetPayFake` runs the simulator's engine behind ``responses``: the package's real HTTP clients
talk to it (Checkout v2, Transfer v1 and the OAuth API), and helpers play the customer ("pays with Orange
Money", "refuses", "cancels") and CinetPay ("deliver the notification again", "the transfer is validated",
"every login token expires"), posting notifications to the project's webhooks with Django's test client.
With pytest, use the ``cinetpay`` fixture; with unittest, use the fake as a context manager or call
``start()``/``stop()``.

The fake needs ``responses``, a test-time dependency: ``pip install "django-cinetpay[testing]"``.

Names are imported on first use: the pytest plugin in this package is loaded by every pytest run in an
environment that has django-cinetpay, before Django is configured and whether or not ``responses`` is
installed, so importing the package must touch neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..simulator.engine import Delivery, Fault, Outbound, Payment, Transfer
    from .fake import CinetPayFake
    from .notifications import oauth_notification, post_notification, signed_notification

#: Where each public name lives.
_HOMES = {
    "CinetPayFake": "django_cinetpay.testing.fake",
    "oauth_notification": "django_cinetpay.testing.notifications",
    "post_notification": "django_cinetpay.testing.notifications",
    "signed_notification": "django_cinetpay.testing.notifications",
    "Delivery": "django_cinetpay.simulator.engine",
    "Fault": "django_cinetpay.simulator.engine",
    "Outbound": "django_cinetpay.simulator.engine",
    "Payment": "django_cinetpay.simulator.engine",
    "Transfer": "django_cinetpay.simulator.engine",
}

__all__ = [
    "CinetPayFake",
    "Delivery",
    "Fault",
    "Outbound",
    "Payment",
    "Transfer",
    "oauth_notification",
    "post_notification",
    "signed_notification",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
