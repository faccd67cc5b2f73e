"""Payment notifications (IPN): store every request first, verify its x-token, then let a check decide.

Stored before anything is trusted, with its outcome and traceback, so that staff can see what arrived and
reprocess a notification whose processing failed (``process_payment_notification`` works from the stored
row alone).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone

from .. import exceptions
from ..client import CheckoutBackend, TransferBackend, verify_x_token
from ..client.vocabulary import PAYMENT_METHODS, region_for_prefix
from ..conf import settings
from ..ids import is_our_id
from ..models import CinetPayNotification, CinetPayTransaction, PayoutRequest
from ..phones import InvalidPhoneNumber, Phone, parse_phone
from ..states import PaymentStatus
from ..utils import mask_phone
from .audit import Actor
from .payouts import refresh_payout
from .verdicts import Outcome, keep_payer_number, may_still_change, refresh_payment

logger = logging.getLogger("django_cinetpay")

#: Headers never stored (they may carry the site's own credentials).
_DROPPED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
_MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class NotificationResult:
    """What the notify view answers: an HTTP status and a short text for CinetPay's logs."""

    status: int
    message: str


def _storable(text: str) -> str:
    """``text`` as any database stores it in a text or JSON column.

    PostgreSQL refuses a NUL character and a lone surrogate (an insert with one fails, the request is
    lost and answered 500): they are kept as the visible escapes ``\\x00`` and ``\\udXXX``.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _body(request: HttpRequest) -> bytes:
    """The body's first ``_MAX_BODY`` bytes, also when Django refuses to hold all of it in memory."""
    try:
        return request.body[:_MAX_BODY]
    except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: nothing is read yet, keep the start
        return request.read(_MAX_BODY)


def _form(request: HttpRequest) -> list[list[str]]:
    """The POSTed fields as ``[name, value]`` pairs in arrival order; none where Django cannot parse them
    (too many fields, a broken multipart body, a charset other than UTF-8, a body read only in part)."""
    try:
        return [
            [_storable(name), _storable(value)] for name, values in request.POST.lists() for value in values
        ]
    except (BadRequest, MultiPartParserError, SuspiciousOperation):
        return []


def _json_fields(body: str) -> dict[str, str]:
    """The text fields of a JSON object body (the CinetPay API's notifications); ``{}`` for anything else."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {_storable(str(name)): _storable(value) for name, value in data.items() if isinstance(value, str)}


def _ip_address(value: str) -> str | None:
    """``value`` if it is an IP address (a server on a Unix socket may give anything), else ``None``."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def record_notification(request: HttpRequest, kind: str) -> CinetPayNotification:
    """Store the raw request (headers, body, IP) before it is verified. Committed at once.

    Whatever the request holds (NUL bytes, invalid UTF-8, a huge or unparsable body, any content type),
    a row is stored: what cannot be stored as received is escaped or left out, never refused.
    """
    headers = {
        _storable(name): _storable(value)
        for name, value in request.headers.items()
        if name.lower() not in _DROPPED_HEADERS
    }
    body = _storable(_body(request).decode("utf-8", errors="replace"))
    form = _form(request)
    fields = dict(form) or _json_fields(body)
    reference = (
        fields.get("cpm_trans_id")
        or fields.get("client_transaction_id")
        or fields.get("merchant_transaction_id")  # the CinetPay API's JSON body
        or ""
    )
    return CinetPayNotification.objects.create(
        kind=kind,
        method=request.method or "",
        headers=headers,
        body=body,
        form=form,
        remote_addr=_ip_address(request.META.get("REMOTE_ADDR", "")),
        reference=reference[:64],
    )


def finish(
    notification: CinetPayNotification,
    result: NotificationResult,
    *,
    error: str = "",
    tb: str = "",
    processed: bool = True,
) -> NotificationResult:
    notification.processed = processed
    notification.result = f"{result.status} {result.message}"[:255]
    notification.error = error
    notification.traceback = tb
    notification.processed_at = timezone.now()
    notification.save(
        update_fields=["processed", "result", "error", "traceback", "processed_at", "valid", "transaction"]
    )
    return result


def process_payment_notification(
    notification: CinetPayNotification, *, client: CheckoutBackend | None = None, actor: Actor | None = None
) -> NotificationResult:
    """Verify and act on a stored payment notification. Never raises; never changes state on bad input.

    Order: x-token (fail closed) → site id → known transaction → check call → locked transition.
    A duplicate or late notification is answered 200 and changes nothing. The payer's number, where
    refunds go, is the only value taken from the notification itself, and only under the rules of
    :func:`_notified_payer`; everything else comes from the check. A payment whose outcome is final
    (see :func:`_already_final`) is not checked at all.
    """
    pairs = [(str(name), str(value)) for name, value in notification.form]
    data = dict(pairs)
    token = next((v for k, v in notification.headers.items() if k.lower() == "x-token"), "")
    notification.valid = verify_x_token(
        settings.CINETPAY_SECRET_KEY, token, data, arrival_values=[value for _, value in pairs]
    )
    if not notification.valid:
        reason = "missing x-token" if not token else "x-token does not match"
        if not settings.CINETPAY_SECRET_KEY:
            reason = "CINETPAY_SECRET_KEY is not set, so no notification can be verified"
        logger.warning("Rejected CinetPay notification #%s: %s", notification.pk, reason)
        return finish(notification, NotificationResult(403, "invalid signature"), error=reason)

    trans_id = data.get("cpm_trans_id", "").strip()
    if not trans_id:
        return finish(
            notification,
            NotificationResult(400, "missing cpm_trans_id"),
            error="The notification has no cpm_trans_id.",
        )
    site_id = data.get("cpm_site_id", "").strip()
    if site_id and site_id != str(settings.CINETPAY_SITE_ID):
        return finish(
            notification,
            NotificationResult(400, "unknown site"),
            error=f"cpm_site_id {site_id} is not CINETPAY_SITE_ID.",
        )
    tx = CinetPayTransaction.objects.filter(transaction_id=trans_id).first() if is_our_id(trans_id) else None
    if tx is None:
        return finish(
            notification,
            NotificationResult(404, "unknown transaction"),
            error=f"No payment has transaction_id {trans_id}.",
        )
    notification.transaction = tx
    payer, distrust = _notified_payer(pairs, token, tx)
    if distrust:
        logger.warning(
            "Notification #%s for %s: payer number %s not taken: %s",
            notification.pk,
            trans_id,
            mask_phone(data.get("cel_phone_num")),
            distrust,
        )
    if not may_still_change(tx):
        return handle(notification, lambda: _already_final(notification, tx, payer))

    def check() -> str:
        outcome = refresh_payment(
            tx,
            actor=actor or Actor.notification(notification.pk),
            client=client,
            payer_phone=payer.national if payer else "",
            payer_phone_prefix=payer.prefix if payer else "",
            known_to_cinetpay=True,  # verified: CinetPay knows it, even if its start is not visible yet
        )
        logger.info(
            "Notification #%s for %s (payer %s): %s",
            notification.pk,
            trans_id,
            mask_phone(payer.national if payer else ""),
            outcome.outcome.value,
        )
        return "already processed" if outcome.outcome == Outcome.UNCHANGED else outcome.outcome.value

    return handle(notification, check)


def _already_final(notification: CinetPayNotification, tx: CinetPayTransaction, payer: Phone | None) -> str:
    """A notification for a payment whose outcome is final: accepted, or failed past the re-check window.

    CinetPay is not asked, since no answer can change such a payment (the usual case: CinetPay notifying
    again after each status change of a payment already accepted). The one thing the notification may
    still give is the payer's number to an accepted payment that has none yet (accepted by a return
    visit or a poll first): :func:`_notified_payer` has already proved it under the same rules as for a
    notification followed by a check, and a v2 check answer carries no number to weigh against it.
    """
    if payer is not None and keep_payer_number(tx, payer.national, payer.prefix):
        logger.info(
            "Notification #%s for %s: payer number %s taken", notification.pk, tx, mask_phone(payer.national)
        )
    logger.info(
        "Notification #%s for %s: already %s, final; CinetPay not asked", notification.pk, tx, tx.status
    )
    return "already processed"


def _notified_payer(
    pairs: list[tuple[str, str]], token: str, tx: CinetPayTransaction
) -> tuple[Phone | None, str]:
    """The payer's number a verified notification gives, normalised, or ``None`` and why it is not taken.

    The x-token signs the field *values* joined with no separator, so it proves the characters, not where
    one field ends: a captured notification re-split as ``payment_method=OM07&cel_phone_num=0707070722&
    cpm_phone_prefixe=5`` verifies with the genuine token. Refunds go to this number, so it is taken only
    when that cannot have happened: the token matches the documented field order (not only the arrival-order
    fallback, which lets fields be renamed and reordered), each field is posted once, and every field
    around the number has the shape CinetPay sends (our site id, one of our transaction ids, a known
    payment method, a CinetPay calling code, a valid mobile number of that country in digits). Those
    shapes pin every boundary the number has. An accepted payment keeps the number that paid: a later
    notification never rewrites where refunds go. A notification failing these rules still triggers the
    check call, which alone decides the status; it only gives no number (staff set the refund's).
    """
    data = dict(pairs)
    number, prefix = data.get("cel_phone_num", ""), data.get("cpm_phone_prefixe", "")
    problems = (
        (not number, ""),
        (
            tx.status == PaymentStatus.ACCEPTED and bool(tx.payer_phone),
            "the accepted payment keeps the number that paid",
        ),
        (len(data) != len(pairs), "a field is posted twice"),
        (
            not verify_x_token(settings.CINETPAY_SECRET_KEY, token, data),
            "the x-token only matches the arrival order of the fields",
        ),
        (data.get("cpm_site_id") != str(settings.CINETPAY_SITE_ID), "cpm_site_id is not CINETPAY_SITE_ID"),
        (not is_our_id(data.get("cpm_trans_id", "")), "cpm_trans_id is not one of our ids"),
        (data.get("payment_method") not in PAYMENT_METHODS, "payment_method is not a known method"),
        (region_for_prefix(prefix) is None or not prefix.isdigit(), "cpm_phone_prefixe is not CinetPay's"),
        (not (number.isascii() and number.isdigit()), "cel_phone_num is not digits"),
    )
    reason = next((why for failed, why in problems if failed), None)
    if reason is not None:
        return None, reason
    try:
        return parse_phone(number, prefix=prefix), ""
    except InvalidPhoneNumber:
        return None, f"cel_phone_num is not a mobile number of +{prefix}"


def handle(notification: CinetPayNotification, act: Callable[[], str]) -> NotificationResult:
    """Run ``act`` (mostly a call to CinetPay that applies its answer) and record the outcome on
    ``notification``, in the one ``UPDATE`` of :func:`finish`.

    CinetPay unreachable or refusing: 503 and not processed, so it can be reprocessed. Anything else that
    goes wrong is a bug: 500, kept with its traceback. Success: 200 with ``act``'s short message.
    """
    try:
        message = act()
    except (exceptions.CinetPayNetworkError, exceptions.CinetPayAPIError) as exc:
        logger.warning("Could not confirm notification #%s with CinetPay: %s", notification.pk, exc)
        return finish(
            notification,
            NotificationResult(503, "could not confirm with CinetPay"),
            error=str(exc),
            processed=False,
        )
    except Exception as exc:  # a bug must not lose the stored request: keep it with its traceback
        logger.exception("Processing notification #%s failed", notification.pk)
        return finish(
            notification,
            NotificationResult(500, "processing failed"),
            error=repr(exc),
            tb=traceback.format_exc(),
            processed=False,
        )
    return finish(notification, NotificationResult(200, message))


def process_transfer_notification(
    notification: CinetPayNotification, *, client: TransferBackend | None = None, actor: Actor | None = None
) -> NotificationResult:
    """Act on a stored transfer notification. Never raises.

    Transfer notifications are not signed, so the body only says *which* payout to look at; its status
    comes from the Transfer API's check call, by our ``client_transaction_id``. A payout is never sent
    from here.
    """
    data = {str(name): str(value) for name, value in notification.form}
    client_transaction_id = data.get("client_transaction_id", "").strip()
    if not client_transaction_id:
        return finish(
            notification,
            NotificationResult(400, "missing client_transaction_id"),
            error="The notification has no client_transaction_id.",
        )
    payout = (
        PayoutRequest.objects.select_related("escrow__payment")
        .filter(client_transaction_id=client_transaction_id)
        .first()
        if is_our_id(client_transaction_id)
        else None
    )
    if payout is None:
        return finish(
            notification,
            NotificationResult(404, "unknown transfer"),
            error=f"No payout has client_transaction_id {client_transaction_id}.",
        )
    notification.transaction = payout.escrow.payment
    actor = actor or Actor.notification(notification.pk)
    return handle(notification, lambda: refresh_payout(payout, actor=actor, client=client).payout.status)
