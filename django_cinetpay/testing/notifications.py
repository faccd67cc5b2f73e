"""Notifications for tests, and posting them to the project's webhooks.

Usable without the fake, e.g. to test a webhook against forged or replayed requests::

    notification = signed_notification(tx, payment_method="MOMO")  # Checkout v2: a signed form
    response = post_notification(notification)

    notification = oauth_notification(tx, url=notify_url, notify_token="forged")  # OAuth API: JSON
    response = post_notification(notification)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from ..simulator.engine import Outbound, signed_payment_notification, token_notification
from ..simulator.engine.notifications import CPM_PAGE_ACTION, CPM_PAYMENT_CONFIG, CPM_VERSION
from ..simulator.engine.simulator import utc_now


def signed_notification(
    transaction: Any = None, *, secret: str | None = None, url: str = "", **fields: str
) -> Outbound:
    """A payment notification as CinetPay signs it, for ``transaction`` (a payment or a transaction id).

    Filled from ``transaction`` and the settings (``CINETPAY_SITE_ID``; ``CINETPAY_SECRET_KEY`` unless
    ``secret`` is given), then ``fields`` override any of the documented fields, e.g. ``cpm_amount="5"``.
    ``url`` defaults to ``cinetpay:notify``.
    """
    from django_cinetpay.conf import settings

    transaction_id = (
        transaction if isinstance(transaction, str) else getattr(transaction, "transaction_id", "")
    )
    values = {
        "cpm_site_id": str(settings.CINETPAY_SITE_ID),
        "cpm_trans_id": transaction_id or "",
        "cpm_trans_date": utc_now().strftime("%Y-%m-%d %H:%M:%S"),
        "cpm_amount": str(getattr(transaction, "amount", "") or ""),
        "cpm_currency": getattr(transaction, "currency", "") or "",
        "payment_method": "OM",
        "cel_phone_num": "0707070707",
        "cpm_phone_prefixe": "225",
        "cpm_language": getattr(transaction, "lang", "") or "fr",
        "cpm_version": CPM_VERSION,
        "cpm_payment_config": CPM_PAYMENT_CONFIG,
        "cpm_page_action": CPM_PAGE_ACTION,
        "cpm_custom": getattr(transaction, "metadata", "") or "",
        "cpm_designation": getattr(transaction, "description", "") or "",
        "cpm_error_message": "SUCCES",
        **fields,
    }
    key = settings.CINETPAY_SECRET_KEY if secret is None else secret
    return signed_payment_notification(key, url or reverse("cinetpay:notify"), values)


def oauth_notification(
    transaction: Any = None,
    *,
    url: str,
    notify_token: str | None = None,
    transaction_id: str = "",
    merchant_transaction_id: str = "",
    user: dict[str, str] | None = None,
) -> Outbound:
    """An OAuth API notification (JSON) for ``transaction``, to ``url`` (the project's notify URL).

    ``merchant_transaction_id`` and ``notify_token`` default to the transaction's ``transaction_id`` and
    ``notify_token`` (the one the API answered at initialisation); ``transaction_id`` is CinetPay's own id.
    Override any of them to forge one.
    """
    merchant_id = merchant_transaction_id or (
        transaction if isinstance(transaction, str) else getattr(transaction, "transaction_id", "")
    )
    token = getattr(transaction, "notify_token", "") if notify_token is None else notify_token
    return token_notification(
        url,
        notify_token=token or "",
        transaction_id=transaction_id,
        merchant_transaction_id=merchant_id or "",
        user=user,
    )


def post_notification(notification: Outbound, client: Client | None = None) -> HttpResponseBase:
    """POST ``notification`` (a form, or the OAuth API's JSON) with its headers to the path of its URL,
    in process."""
    parts = urlsplit(notification.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return (client or Client()).post(
        path,
        data=notification.json_body or urlencode(notification.fields),
        content_type=notification.content_type,
        headers=dict(notification.headers),
        secure=parts.scheme == "https",
    )
