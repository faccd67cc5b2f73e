"""What the simulated CinetPay remembers: payments, transfers, contacts and fault rules.

Plain dataclasses that round-trip through ``to_dict``/``from_dict``, so the same records live in memory
(the test fake) or in a JSON column (the simulator app). Notification snapshots are lists of
``[name, value]`` pairs, because their order is part of what CinetPay signs and JSON objects in some
databases (PostgreSQL ``jsonb``) do not keep key order.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, TypeVar

R = TypeVar("R")


class PaymentState(str, enum.Enum):
    """Where a simulated payment stands on CinetPay's side."""

    CREATED = "created"  # initialised; the customer has not acted
    WAITING = "waiting"  # the customer chose a push operator and has not confirmed on the phone yet
    ACCEPTED = "accepted"
    REFUSED = "refused"  # the operator refused (the customer may try again on the same checkout)
    CANCELLED = "cancelled"  # the customer left the checkout


class Api(str, enum.Enum):
    """Which CinetPay API created a record: the engine keeps one account behind both."""

    CHECKOUT_V2 = "checkout_v2"  # Checkout API v2 (payments) and Transfer API v1 (transfers)
    OAUTH = "oauth"  # the newer API at api.cinetpay.co: OAuth login, /v1/payment, /v1/transfer


class TreatmentStatus(str, enum.Enum):
    """A transfer's ``treatment_status``: in progress, done, rejected."""

    NEW = "NEW"
    VAL = "VAL"
    REJ = "REJ"


def _from_dict(cls: type[R], data: dict[str, Any]) -> R:
    """Build ``cls`` from ``data``, ignoring keys it does not know (records written by older versions)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Payment:
    """A payment created by ``POST /payment`` (v2) or ``POST /v1/payment`` (OAuth), as CinetPay keeps it.

    ``transaction_id`` is the merchant's id (v2 ``transaction_id``, OAuth ``merchant_transaction_id``);
    ``customer`` holds the v2 ``customer_*`` names whatever the API (OAuth ``client_first_name`` is
    ``customer_surname``). The OAuth API adds ``reference`` (CinetPay's own ``transaction_id``), the
    ``notify_token`` its notifications carry, ``failed_url`` and the account's ``country``.
    """

    token: str
    transaction_id: str
    site_id: str
    amount: int
    currency: str
    description: str
    notify_url: str
    return_url: str
    created_at: str
    channels: str = "ALL"
    lang: str = "fr"
    metadata: str = ""
    customer: dict[str, str] = field(default_factory=dict)
    lock_phone_number: bool = False
    invoice_data: dict[str, str] = field(default_factory=dict)
    state: str = PaymentState.CREATED.value
    payment_method: str = ""
    phone_number: str = ""
    phone_prefix: str = ""
    operator_id: str = ""
    payment_date: str = ""
    #: Each notification sent for this payment: ``{"fields": [[name, value], ...], "x_token": ...}``.
    notifications: list[dict[str, Any]] = field(default_factory=list)
    #: What the notify_url answered, newest last: ``{"at", "status", "detail"}``.
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    api: str = Api.CHECKOUT_V2.value
    reference: str = ""
    notify_token: str = ""
    failed_url: str = ""
    country: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Payment:
        return _from_dict(cls, data)

    @property
    def is_final(self) -> bool:
        """Accepted and cancelled payments take no more customer actions; on the OAuth API, whose
        ``FAILED`` is final, neither do refused ones."""
        final = {PaymentState.ACCEPTED.value, PaymentState.CANCELLED.value}
        if self.api == Api.OAUTH.value:
            final.add(PaymentState.REFUSED.value)
        return self.state in final


@dataclass
class Transfer:
    """A transfer created by ``POST /transfer/money/send/contact`` (v1) or ``POST /v1/transfer`` (OAuth).

    ``client_transaction_id`` is the merchant's id (OAuth ``merchant_transaction_id``). The OAuth API adds
    the ``notify_token``, the operator code (``payment_method``), ``currency`` and ``reason``.
    """

    transaction_id: str
    client_transaction_id: str
    lot: str
    amount: int
    prefix: str
    phone: str
    notify_url: str
    created_at: str
    treatment_status: str = TreatmentStatus.NEW.value
    sending_status: str = "PENDING"
    comment: str = ""
    operator_transaction_id: str = ""
    validated_at: str = ""
    notifications: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    api: str = Api.CHECKOUT_V2.value
    notify_token: str = ""
    payment_method: str = ""
    currency: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transfer:
        return _from_dict(cls, data)

    @property
    def receiver(self) -> str:
        return f"+{self.prefix}{self.phone}"


@dataclass
class Contact:
    """A transfer recipient registered with ``POST /transfer/contact``."""

    prefix: str
    phone: str
    name: str = ""
    surname: str = ""
    email: str = ""
