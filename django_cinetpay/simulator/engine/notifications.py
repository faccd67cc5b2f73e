"""The notifications CinetPay posts to a merchant's ``notify_url`` (CINETPAY_API.md §3, §5 and §8).

A Checkout v2 payment notification is a form with the documented fields, in the documented order, and an
``x-token`` header: the HMAC computed by :func:`django_cinetpay.client.signing.compute_x_token` with the
merchant's secret key. A Transfer v1 notification is the same kind of form, unsigned. The OAuth API posts
JSON instead: ``notify_token`` (the one its initialisation answered), ``transaction_id``,
``merchant_transaction_id`` and, for payments, ``user``. Notifications are built here and sent by whichever
face runs the engine (over HTTP, or through Django's test client).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django_cinetpay.client.signing import SIGNED_FIELDS, compute_x_token
from django_cinetpay.client.vocabulary import COUNTRY_PHONE_PREFIXES

from .messages import FORM, JSON
from .records import Api, Payment, Transfer

#: Constant fields of a checkout v2 notification.
CPM_VERSION = "V4"
CPM_PAYMENT_CONFIG = "SINGLE"
CPM_PAGE_ACTION = "PAYMENT"


@dataclass(frozen=True)
class Outbound:
    """One notification to send: where, which headers, and either form ``fields`` in their order or, for
    the OAuth API, a JSON document (``json_body``, sent as it is)."""

    url: str
    fields: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...] = ()
    json_body: str = ""

    @property
    def data(self) -> dict[str, Any]:
        """The form fields, or the JSON document."""
        return json.loads(self.json_body) if self.json_body else dict(self.fields)

    @property
    def content_type(self) -> str:
        return JSON if self.json_body else FORM

    @property
    def x_token(self) -> str:
        return dict(self.headers).get("x-token", "")

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "fields": [list(f) for f in self.fields],
            "headers": [list(h) for h in self.headers],
            "json": self.json_body,
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> Outbound:
        return cls(
            url=snapshot["url"],
            fields=tuple((str(k), str(v)) for k, v in snapshot["fields"]),
            headers=tuple((str(k), str(v)) for k, v in snapshot.get("headers", [])),
            json_body=str(snapshot.get("json") or ""),
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


def token_notification(
    url: str,
    *,
    notify_token: str,
    transaction_id: str,
    merchant_transaction_id: str,
    user: dict[str, str] | None = None,
) -> Outbound:
    """An OAuth API notification: a JSON document whose ``notify_token`` proves where it comes from."""
    document: dict[str, Any] = {
        "notify_token": notify_token,
        "transaction_id": transaction_id,
        "merchant_transaction_id": merchant_transaction_id,
    }
    if user is not None:
        document["user"] = user
    return Outbound(url, (), json_body=json.dumps(document))


def payment_user(payment: Payment) -> dict[str, str]:
    """The customer of a payment as the OAuth API describes it: ``name``, ``email``, ``phone_number``.

    The number is the paying one once known (international form), else the one the merchant gave.
    """
    customer = payment.customer
    name = " ".join(
        part for part in (customer.get("customer_surname"), customer.get("customer_name")) if part
    )
    local = customer.get("customer_phone_number", "")
    if payment.phone_number:
        phone = f"+{payment.phone_prefix}{payment.phone_number}"
    elif local and payment.country in COUNTRY_PHONE_PREFIXES:
        phone = f"+{COUNTRY_PHONE_PREFIXES[payment.country]}{local}"
    else:
        phone = local
    return {"name": name, "email": customer.get("customer_email", ""), "phone_number": phone}


def oauth_payment_notification(payment: Payment) -> Outbound:
    """What the OAuth API posts to a payment's notify_url once it is final."""
    return token_notification(
        payment.notify_url,
        notify_token=payment.notify_token,
        transaction_id=payment.reference,
        merchant_transaction_id=payment.transaction_id,
        user=payment_user(payment),
    )


def transfer_notification_of(transfer: Transfer) -> Outbound:
    """The notification of a settled transfer, in the language of the API that created it."""
    if transfer.api == Api.OAUTH.value:
        return token_notification(
            transfer.notify_url,
            notify_token=transfer.notify_token,
            transaction_id=transfer.transaction_id,
            merchant_transaction_id=transfer.client_transaction_id,
        )
    return transfer_notification(transfer)
