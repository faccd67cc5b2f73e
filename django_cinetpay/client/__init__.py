"""HTTP clients for CinetPay. No ORM here; settings are read only by the ``get_*_client`` factories."""

from .checkout import (
    CheckoutBackend,
    CheckoutClient,
    CheckResult,
    InitResult,
    PaymentRequest,
    get_checkout_client,
)
from .signing import SIGNED_FIELDS, compute_x_token, verify_x_token
from .transfer import (
    Balance,
    ContactResult,
    Transfer,
    TransferBackend,
    TransferClient,
    get_transfer_client,
    parse_transfer,
)

__all__ = [
    "SIGNED_FIELDS",
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
    "compute_x_token",
    "get_checkout_client",
    "get_transfer_client",
    "parse_transfer",
    "verify_x_token",
]
