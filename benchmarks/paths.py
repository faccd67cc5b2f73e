"""The measured paths, each with its floor (see :mod:`benchmarks.floors`)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutStatus
from django_cinetpay.testing import signed_notification

from . import floors, load, seed
from .cinetpay_server import CinetPayServer
from .harness import Row, count_queries, interleaved, median, table

FORM = "application/x-www-form-urlencoded"


def _post(client: Client, path: str, tx: object) -> bytes:
    notification = signed_notification(tx)
    response = client.post(
        path, urlencode(notification.fields), content_type=FORM, headers=dict(notification.headers)
    )
    assert response.status_code == 200, response.content
    return response.content


def notification(server: CinetPayServer, smoke: bool) -> list[Row]:
    """An accepted notification: store, verify, check (kept-alive), accept, open the escrow."""
    repetitions = 2 if smoke else 150
    seed.empty()
    ours, theirs = seed.payments(repetitions + 2, tag="N"), seed.payments(repetitions + 1, tag="F")
    client, notify = Client(), reverse("cinetpay:notify")
    _post(client, notify, ours[-1]), _post(client, "/floor/notify/", theirs[-1])  # warm-up
    project, floor = interleaved(
        lambda i: _post(client, notify, ours[i]),
        lambda i: _post(client, "/floor/notify/", theirs[i]),
        repetitions,
    )
    total, plain = count_queries(lambda: _post(client, notify, ours[-2]))
    return [
        Row("accepted notification", median(project), median(floor), f"{plain} ({total} with savepoints)")
    ]


def duplicate(server: CinetPayServer, smoke: bool) -> list[Row]:
    """A notification of a payment already accepted: nothing can change."""
    repetitions = 2 if smoke else 300
    seed.empty()
    (paid,) = seed.payments(1, tag="D", status=PaymentStatus.ACCEPTED)
    client, notify = Client(), reverse("cinetpay:notify")
    checks = server.calls.get("/v2/payment/check", 0)
    project, floor = interleaved(
        lambda i: _post(client, notify, paid), lambda i: _post(client, "/floor/duplicate/", paid), repetitions
    )
    _, plain = count_queries(lambda: _post(client, notify, paid))
    calls = server.calls.get("/v2/payment/check", 0) - checks
    return [
        Row(
            "duplicate notification (accepted)",
            median(project),
            median(floor),
            str(plain),
            f"{calls} check calls",
        )
    ]


def _release_all() -> None:
    while EscrowTransaction.objects.filter(status=EscrowStatus.CONFIRMED).exists():
        services.release_due_escrows()


def release(server: CinetPayServer, smoke: bool) -> list[Row]:
    """Release every due escrow (seller payouts and audit rows included)."""
    size, repetitions = (50, 1) if smoke else (10_000, 3)

    def reseed() -> None:
        seed.empty()
        seed.due_escrows(size)

    project, floor = interleaved(
        lambda i: _release_all(), lambda i: floors.release_due_escrows_sql(), repetitions, setup=reseed
    )
    reseed()
    _, plain = count_queries(_release_all)
    return [Row(f"release of {size:,} due escrows", median(project), median(floor), f"{plain} for {size:,}")]


def payouts(server: CinetPayServer, smoke: bool) -> list[Row]:
    """Send pending seller payouts (steady state: the login and the contact are known)."""
    size, repetitions = (3, 1) if smoke else (200, 3)

    def reseed() -> None:
        seed.empty()
        seed.due_escrows(size)
        floors.release_due_escrows_sql()

    def send_all() -> None:
        while PayoutRequest.objects.filter(status=PayoutStatus.PENDING).exists():
            services.process_payouts(limit=size)

    reseed()
    send_all()  # warm-up: the login and the contact
    project, floor = interleaved(
        lambda i: send_all(),
        lambda i: floors.send_payouts_floor(list(PayoutRequest.objects.values_list("pk", flat=True))),
        repetitions,
        setup=reseed,
    )
    reseed()
    calls_before = sum(server.calls.values())
    _, plain = count_queries(send_all)
    per_payout = (sum(server.calls.values()) - calls_before) / size
    return [
        Row(
            f"{size} payouts",
            median(project),
            median(floor),
            f"{plain / size:.1f} per payout",
            f"{per_payout:.1f} HTTP calls per payout",
        )
    ]


BENCHMARKS: dict[str, Callable[[CinetPayServer, bool], list[Row]]] = {
    "notification": notification,
    "duplicate": duplicate,
    "release": release,
    "payouts": payouts,
    "load": load.webhook_under_load,
}


def run(names: list[str], server: CinetPayServer, *, smoke: bool) -> str:
    rows = [row for name in names for row in BENCHMARKS[name](server, smoke)]
    return table(rows)
