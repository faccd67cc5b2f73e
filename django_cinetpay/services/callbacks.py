"""The public addresses CinetPay calls back: notify, return and transfer-notify URLs.

One small module so that payments and payouts both build them without importing each other.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from .. import exceptions
from ..conf import settings
from ..states import Backend


def absolute_url(path: str) -> str:
    """``CINETPAY_BASE_URL`` + ``path``: the public address CinetPay calls back."""
    base = settings.CINETPAY_BASE_URL
    if not base:
        raise exceptions.CinetPayConfigurationError(
            "CINETPAY_BASE_URL (or BASE_URL) must be set to the public address of the site, e.g. "
            "https://example.com, so that CinetPay can reach the notify and return URLs."
        )
    return base + path


def notify_url(backend: str = Backend.CHECKOUT_V2) -> str:
    """Where CinetPay posts payment notifications (the CinetPay API has one URL for everything)."""
    name = "cinetpay:notify" if backend == Backend.CHECKOUT_V2 else "cinetpay:api-notify"
    return absolute_url(reverse(name))


def return_url(backend: str = Backend.CHECKOUT_V2, transaction_id: str = "") -> str:
    """Where CinetPay sends the customer back.

    Checkout v2 posts the transaction id to it; the CinetPay API only redirects, so the id is in the URL.
    """
    url = absolute_url(reverse("cinetpay:return"))
    return url if backend == Backend.CHECKOUT_V2 else f"{url}?{urlencode({'transaction_id': transaction_id})}"


def transfer_notify_url(backend: str = Backend.CHECKOUT_V2) -> str:
    """Where CinetPay posts transfer notifications."""
    if backend != Backend.CHECKOUT_V2:
        return notify_url(backend)
    return absolute_url(reverse("cinetpay:transfer-notify"))
