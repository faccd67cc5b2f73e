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

__all__ = [
    "SIGNED_FIELDS",
    "CheckResult",
    "CheckoutBackend",
    "CheckoutClient",
    "InitResult",
    "PaymentRequest",
    "compute_x_token",
    "get_checkout_client",
    "verify_x_token",
]
