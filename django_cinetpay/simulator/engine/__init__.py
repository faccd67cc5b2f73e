"""The simulated CinetPay, as a state machine over a storage interface. No Django ORM, no HTTP.

Shared by the two faces: :mod:`django_cinetpay.simulator` (a Django app serving it over HTTP, state in its
models) and :mod:`django_cinetpay.testing` (a fake inside the test process, state in memory).
"""

from .checkout import CustomerError, Outcome, UnknownPaymentError, methods_for
from .context import Credentials, Options
from .faults import FAULT_HEADER, Fault, FaultRule, parse_fault, rule_from_setting
from .messages import ApiRequest, Reply
from .notifications import Delivery, Outbound, payment_notification, signed_payment_notification
from .records import Contact, Payment, PaymentState, Transfer, TreatmentStatus
from .simulator import Simulator
from .store import AlreadyExistsError, MemoryStore, Store
from .transfers import TransferError

__all__ = [
    "FAULT_HEADER",
    "AlreadyExistsError",
    "ApiRequest",
    "Contact",
    "Credentials",
    "CustomerError",
    "Delivery",
    "Fault",
    "FaultRule",
    "MemoryStore",
    "Options",
    "Outbound",
    "Outcome",
    "Payment",
    "PaymentState",
    "Reply",
    "Simulator",
    "Store",
    "Transfer",
    "TransferError",
    "TreatmentStatus",
    "UnknownPaymentError",
    "methods_for",
    "parse_fault",
    "payment_notification",
    "rule_from_setting",
    "signed_payment_notification",
]
