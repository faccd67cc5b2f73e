"""The public addresses CinetPay calls back: notify, return and transfer-notify URLs.

One small module so that payments and payouts both build them without importing each other.
"""

from __future__ import annotations

from django.urls import reverse

from .. import exceptions
from ..conf import settings


def absolute_url(path: str) -> str:
    """``CINETPAY_BASE_URL`` + ``path``: the public address CinetPay calls back."""
    base = settings.CINETPAY_BASE_URL
    if not base:
        raise exceptions.CinetPayConfigurationError(
            "CINETPAY_BASE_URL (or BASE_URL) must be set to the public address of the site, e.g. "
            "https://example.com, so that CinetPay can reach the notify and return URLs."
        )
    return base + path


def notify_url() -> str:
    """Where CinetPay posts payment notifications."""
    return absolute_url(reverse("cinetpay:notify"))


def return_url() -> str:
    """Where CinetPay sends the customer back."""
    return absolute_url(reverse("cinetpay:return"))


def transfer_notify_url() -> str:
    """Where CinetPay posts transfer notifications."""
    return absolute_url(reverse("cinetpay:transfer-notify"))
