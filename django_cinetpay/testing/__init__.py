"""Test CinetPay flows inside the test process: no server, no keys, no internet.

:class:`CinetPayFake` runs the simulator's engine behind ``responses``: the package's real HTTP client
talks to it, and helpers play the customer ("pays with Orange Money", "refuses", "cancels") and CinetPay
("deliver the notification again", "the transfer is validated"), posting notifications to the project's
webhooks with Django's test client. With pytest, use the ``cinetpay`` fixture; with unittest, use the
fake as a context manager or call ``start()``/``stop()``.

Needs ``responses``, a test-time dependency: ``pip install "django-cinetpay[testing]"``.
"""

try:
    import responses  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "django_cinetpay.testing needs the 'responses' package, a test-time dependency. Install it with "
        "pip install 'django-cinetpay[testing]' (or pip install responses)."
    ) from exc

from ..simulator.engine import Delivery, Fault, Outbound, Payment, Transfer
from .fake import CinetPayFake
from .notifications import post_notification, signed_notification

__all__ = [
    "CinetPayFake",
    "Delivery",
    "Fault",
    "Outbound",
    "Payment",
    "Transfer",
    "post_notification",
    "signed_notification",
]
