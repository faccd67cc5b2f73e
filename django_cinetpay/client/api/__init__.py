"""CinetPay's newer API (``CINETPAY_BACKEND = "api"``): OAuth login per country, payments, transfers,
balances and notifications carrying a ``notify_token``, behind the same interfaces as Checkout v2 and
Transfer v1 (:class:`~..checkout.CheckoutBackend`, :class:`~..transfer_answers.TransferBackend`).

Modules: :mod:`.credentials` (per-country keys, sandbox or production), :mod:`.auth` (login, the shared
token, authenticated requests), :mod:`.payments`, :mod:`.transfers`, :mod:`.operators` (the country and
the operator code a request goes to), :mod:`.codes` (codes, statuses, hints) and :mod:`.notifications`.
"""

from .auth import Connection
from .credentials import CountryCredentials, base_url_for, parse_credentials
from .notifications import ApiNotification, read_notification, verify_notify_token
from .payments import ApiCheckoutClient
from .transfers import ApiTransferClient

__all__ = [
    "ApiCheckoutClient",
    "ApiNotification",
    "ApiTransferClient",
    "Connection",
    "CountryCredentials",
    "base_url_for",
    "parse_credentials",
    "read_notification",
    "verify_notify_token",
]
