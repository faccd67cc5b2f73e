"""The notifications CinetPay posts to a merchant's ``notify_url`` (CINETPAY_API.md §3 and §5).

A payment notification is a form with the documented fields, in the documented order, and an ``x-token``
header: the HMAC computed by :func:`django_cinetpay.client.signing.compute_x_token` with the merchant's
secret key. A transfer notification is the same kind of form, unsigned. Notifications are built here and
sent by whichever face runs the engine (over HTTP, or through Django's test client).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django_cinetpay.client.signing import SIGNED_FIELDS, compute_x_token

from .records import Payment, Transfer

#: Constant fields of a checkout v2 notification.
CPM_VERSION = "V4"
CPM_PAYMENT_CONFIG = "SINGLE"
CPM_PAGE_ACTION = "PAYMENT"


@dataclass(frozen=True)
class Outbound:
    """One notification to send: where, which form fields in which order, which headers."""

    url: str
    fields: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def data(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def x_token(self) -> str:
        return dict(self.headers).get("x-token", "")

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "fields": [list(f) for f in self.fields],
            "headers": [list(h) for h in self.headers],
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> Outbound:
        return cls(
            url=snapshot["url"],
            fields=tuple((str(k), str(v)) for k, v in snapshot["fields"]),
            headers=tuple((str(k), str(v)) for k, v in snapshot.get("headers", [])),
        )


@dataclass(frozen=True)
class Delivery:
    """What a notify_url answered: an HTTP status, or ``None`` and the reason when nothing came back."""

    status: int | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


#: Sends one notification. The simulator app posts over HTTP; the test fake through Django's test client.
Deliver = Callable[[Outbound], Delivery]


def signed_payment_notification(secret: str, url: str, values: dict[str, str]) -> Outbound:
    """A payment notification of ``values`` (any of :data:`SIGNED_FIELDS`; missing ones are ``""``)."""
    unknown = set(values) - set(SIGNED_FIELDS)
    if unknown:
        raise ValueError(f"not payment notification fields: {sorted(unknown)}")
    fields = tuple((name, str(values.get(name, ""))) for name in SIGNED_FIELDS)
    return Outbound(url, fields, (("x-token", compute_x_token(secret, dict(fields))),))


def payment_notification(
    payment: Payment, *, secret: str, sent_at: str, signature: str, message: str
) -> Outbound:
    """The notification CinetPay sends after a status change of ``payment``.

    ``message`` goes into ``cpm_error_message`` (CinetPay puts the status message there, e.g. ``SUCCES``);
    ``signature`` is CinetPay's own token for this notification, not the HMAC.
    """
    return signed_payment_notification(
        secret,
        payment.notify_url,
        {
            "cpm_site_id": payment.site_id,
            "cpm_trans_id": payment.transaction_id,
            "cpm_trans_date": sent_at,
            "cpm_amount": str(payment.amount),
            "cpm_currency": payment.currency,
            "signature": signature,
            "payment_method": payment.payment_method,
            "cel_phone_num": payment.phone_number,
            "cpm_phone_prefixe": payment.phone_prefix,
            "cpm_language": payment.lang,
            "cpm_version": CPM_VERSION,
            "cpm_payment_config": CPM_PAYMENT_CONFIG,
            "cpm_page_action": CPM_PAGE_ACTION,
            "cpm_custom": payment.metadata,
            "cpm_designation": payment.description,
            "cpm_error_message": message,
        },
    )


def transfer_fields(transfer: Transfer) -> dict[str, Any]:
    """A transfer as CinetPay describes it in check answers and transfer notifications."""
    return {
        "transaction_id": transfer.transaction_id,
        "client_transaction_id": transfer.client_transaction_id,
        "lot": transfer.lot,
        "amount": transfer.amount,
        "receiver": transfer.receiver,
        "sending_status": transfer.sending_status,
        "treatment_status": transfer.treatment_status,
        "comment": transfer.comment,
        "operator_transaction_id": transfer.operator_transaction_id,
        "validated_at": transfer.validated_at,
    }


def transfer_notification(transfer: Transfer) -> Outbound:
    """The (unsigned) form CinetPay posts to a transfer's notify_url when its status changes."""
    fields = tuple(
        (name, "" if value is None else str(value)) for name, value in transfer_fields(transfer).items()
    )
    return Outbound(transfer.notify_url, fields)
