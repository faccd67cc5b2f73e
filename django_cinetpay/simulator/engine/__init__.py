"""The simulated CinetPay, as a state machine over a storage interface. No Django ORM, no HTTP.

It speaks Checkout API v2 and Transfer API v1 (:mod:`.checkout`, :mod:`.transfers`) and CinetPay's newer
OAuth API (:mod:`.oauth`), over one account: the same records, checkout page, balance and faults.

Shared by the two faces: :mod:`django_cinetpay.simulator` (a Django app serving it over HTTP, state in its
models) and :mod:`django_cinetpay.testing` (a fake inside the test process, state in memory).
"""

from .context import Account, Credentials, Options, accounts_from
from .customer import (
    CustomerError,
    Outcome,
    UnknownPaymentError,
    exit_url,
    method_name,
    methods_for,
    payment_methods,
)
from .faults import FAULT_HEADER, Fault, FaultRule, parse_fault, rule_from_setting
from .messages import ApiRequest, Reply
from .notifications import (
    Delivery,
    Outbound,
    payment_notification,
    signed_payment_notification,
    token_notification,
)
from .records import Api, Contact, Payment, PaymentState, Transfer, TreatmentStatus
from .simulator import Simulator
from .store import EPOCH, AlreadyExistsError, MemoryStore, Store
from .transfers import TransferError

__all__ = [
    "EPOCH",
    "FAULT_HEADER",
    "Account",
    "AlreadyExistsError",
    "Api",
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
    "accounts_from",
    "exit_url",
    "method_name",
    "methods_for",
    "parse_fault",
    "payment_methods",
    "payment_notification",
    "rule_from_setting",
    "signed_payment_notification",
    "token_notification",
]
