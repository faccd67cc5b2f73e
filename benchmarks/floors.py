"""The floors: the least work each measured path must do, written as plainly as Django allows.

A path's ratio is its time over its floor's, measured in the same run, so the machine's speed cancels
out. A floor does the *required* work and nothing else: for a notification, store the request, make one
check call over a kept-alive connection, update the payment, insert the escrow and audit rows.
"""

from __future__ import annotations

import json

import requests
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from django_cinetpay.models import (
    CinetPayNotification,
    CinetPayTransaction,
    EscrowTransaction,
    PayoutRequest,
    StateChange,
)

_SESSION = requests.Session()  # kept alive, like the package's shared client


def _check(transaction_id: str) -> dict:
    response = _SESSION.post(
        f"{settings.CINETPAY_CHECKOUT_API_URL}/payment/check",
        json={
            "apikey": settings.CINETPAY_API_KEY,
            "site_id": settings.CINETPAY_SITE_ID,
            "transaction_id": transaction_id,
        },
        timeout=10,
    )
    return response.json()["data"]


def _store(request: HttpRequest) -> None:
    CinetPayNotification.objects.create(
        kind="payment",
        method="POST",
        headers=dict(request.headers),
        body=request.body.decode(),
        form=[[k, v] for k, v in request.POST.items()],
        reference=request.POST.get("cpm_trans_id", ""),
    )


@csrf_exempt
def accepted_notification(request: HttpRequest) -> HttpResponse:
    """Store, check once, accept: the required work of an accepted notification."""
    _store(request)
    transaction_id = request.POST["cpm_trans_id"]
    data = _check(transaction_id)
    now = timezone.now()
    with transaction.atomic():
        payment = (
            CinetPayTransaction.objects.select_for_update()
            .only("pk", "amount", "currency")
            .get(transaction_id=transaction_id)
        )
        CinetPayTransaction.objects.filter(pk=payment.pk).update(
            status="accepted", paid_at=now, payment_method=data["payment_method"]
        )
        escrow = EscrowTransaction.objects.create(
            payment_id=payment.pk,
            amount=payment.amount,
            currency=payment.currency,
            commission_rate="0.05",
            commission=payment.amount - payment.amount * 95 // 100 // 5 * 5,
            seller_amount=payment.amount * 95 // 100 // 5 * 5,
        )
        StateChange.objects.bulk_create(
            [
                StateChange(
                    content_type=_type(CinetPayTransaction),
                    object_id=str(payment.pk),
                    from_status="pending",
                    to_status="accepted",
                    actor_kind="notification",
                ),
                StateChange(
                    content_type=_type(EscrowTransaction),
                    object_id=str(escrow.pk),
                    from_status="",
                    to_status="held",
                    actor_kind="notification",
                ),
            ]
        )
    return HttpResponse("applied", content_type="text/plain")


@csrf_exempt
def duplicate_notification(request: HttpRequest) -> HttpResponse:
    """Store the request and see that the payment is final: all a duplicate needs."""
    _store(request)
    CinetPayTransaction.objects.filter(transaction_id=request.POST["cpm_trans_id"]).values_list(
        "status", flat=True
    ).get()
    return HttpResponse("already processed", content_type="text/plain")


def _type(model: type) -> ContentType:
    return ContentType.objects.get_for_model(model)


def release_due_escrows_sql() -> int:
    """Release every due escrow in one statement: escrows, their seller payouts and audit rows."""
    escrow_type, payout_type = (
        _type(EscrowTransaction).pk,
        ContentType.objects.get(app_label="cinetpay", model="payoutrequest").pk,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH released AS (
                UPDATE cinetpay_escrowtransaction
                SET status = 'released', resolved_at = now(), updated_at = now()
                WHERE status = 'confirmed' AND release_due_at <= now()
                RETURNING id, seller_amount, currency
            ), payouts AS (
                INSERT INTO cinetpay_payoutrequest (escrow_id, kind, backend, amount, currency, prefix, phone,
                    name, surname, email, client_transaction_id, transaction_id, lot, status,
                    treatment_status, sending_status, operator_transaction_id, cinetpay_code,
                    cinetpay_message, last_error, needs_review, created_at, updated_at)
                SELECT id, 'payout', 'checkout_v2', seller_amount, currency, '225', '0505050505', 'Koffi',
                    'Kouassi', '',
                    'TR' || substr(md5(random()::text || id::text), 1, 20), '', '', 'pending', '', '', '',
                    '', '', '', false, now(), now()
                FROM released
                RETURNING id
            ), audit_escrows AS (
                INSERT INTO cinetpay_statechange (content_type_id, object_id, from_status, to_status,
                    actor_kind, actor_label, reason, created_at)
                SELECT %s, id::text, 'confirmed', 'released', 'job', 'floor', 'security period over', now()
                FROM released
            )
            INSERT INTO cinetpay_statechange (content_type_id, object_id, from_status, to_status, actor_kind,
                actor_label, reason, created_at)
            SELECT %s, id::text, '', 'pending', 'job', 'floor', '', now() FROM payouts
            """,
            [escrow_type, payout_type],
        )
        return cursor.rowcount


def send_payouts_floor(payout_ids: list[int]) -> None:
    """One send over a kept-alive connection and one UPDATE per payout: the least a payout needs."""
    url = f"{settings.CINETPAY_TRANSFER_API_URL}/transfer/money/send/contact"
    rows = PayoutRequest.objects.filter(pk__in=payout_ids).values_list(
        "pk", "client_transaction_id", "amount"
    )
    for pk, cti, amount in rows:
        _SESSION.post(
            url,
            params={"token": "bench-token"},
            data={
                "data": json.dumps(
                    [
                        {
                            "prefix": "225",
                            "phone": "0505050505",
                            "amount": amount,
                            "client_transaction_id": cti,
                            "notify_url": "https://shop.example.com/t/",
                        }
                    ]
                )
            },
            timeout=10,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cinetpay_payoutrequest SET status = 'submitted', updated_at = now() WHERE id = %s",
                [pk],
            )
