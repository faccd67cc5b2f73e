"""HTTP clients for CinetPay. No ORM here; settings are read only by the ``get_*_client`` factories.

Modules: :mod:`.checkout` and :mod:`.transfer` (Checkout v2's and Transfer v1's clients), :mod:`.api`
(the CinetPay API's, behind the same interfaces), :mod:`.transfer_answers` (what
the Transfer API answers), :mod:`.factories` (clients built from the settings, shared), :mod:`.codes`
(answer codes and hints), :mod:`.signing` (the notification x-token), :mod:`.vocabulary` (countries,
currencies, channels, payment methods and field rules), :mod:`.http` and :mod:`.parsing` (plumbing).
"""

from .api import ApiCheckoutClient, ApiNotification, ApiTransferClient, read_notification, verify_notify_token
from .checkout import CheckoutBackend, CheckoutClient, CheckResult, InitResult, PaymentRequest
from .factories import API, BACKENDS, CHECKOUT_V2, clear_clients, get_checkout_client, get_transfer_client
from .signing import SIGNED_FIELDS, compute_x_token, verify_x_token
from .transfer import TransferClient
from .transfer_answers import Balance, ContactResult, Transfer, TransferBackend, parse_transfer

__all__ = [
    "API",
    "BACKENDS",
    "CHECKOUT_V2",
    "SIGNED_FIELDS",
    "ApiCheckoutClient",
    "ApiNotification",
    "ApiTransferClient",
    "Balance",
    "CheckResult",
    "CheckoutBackend",
    "CheckoutClient",
    "ContactResult",
    "InitResult",
    "PaymentRequest",
    "Transfer",
    "TransferBackend",
    "TransferClient",
    "clear_clients",
    "compute_x_token",
    "get_checkout_client",
    "get_transfer_client",
    "parse_transfer",
    "read_notification",
    "verify_notify_token",
    "verify_x_token",
]
