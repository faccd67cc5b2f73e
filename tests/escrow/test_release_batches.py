"""The release job in batches: queries grow with batches, not escrows, and every guarantee still holds."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from django_cinetpay import services
from django_cinetpay.models import EscrowTransaction, PayoutRequest, generate_client_transaction_id
from django_cinetpay.states import ActorKind, EscrowStatus, PayoutKind, PayoutStatus

from .adapter import SELLER_PHONE, SellerPhoneAdapter
from .bulk import due_escrows

pytestmark = pytest.mark.django_db

JOB = services.Actor.job("nightly release")


def statements(call: Any) -> tuple[int, Any]:
    """How many statements ``call`` sends, savepoints left out; and what it returned."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    sql = [query["sql"].lstrip().upper() for query in captured.captured_queries]
    return sum(1 for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))), result


def test_queries_grow_with_batches_not_escrows(buyer, seller, settings):
    settings.CINETPAY_JOB_BATCH_SIZE = 20
    ContentType.objects.get_for_models(EscrowTransaction, PayoutRequest)  # cached, as in a running site

    due_escrows(buyer, seller, 20, tag="A")
    one_batch, report = statements(services.release_due_escrows)
    assert report.released == 20
    due_escrows(buyer, seller, 200, tag="B")
    ten_batches, report = statements(services.release_due_escrows)
    assert report.released == 200

    # A batch: lock the rows, update them, insert their audit rows, payouts and the payouts' audit
    # rows; the run ends with one look that finds nothing left.
    assert one_batch == 5 + 1
    assert ten_batches == 10 * 5 + 1


def test_a_batched_release_keeps_every_guarantee(buyer, seller, settings, signal_log, enqueued, received):
    settings.CINETPAY_JOB_BATCH_SIZE = 7
    escrows = due_escrows(buyer, seller, 30)

    report = services.release_due_escrows(actor=JOB)

    assert (report.confirmed, report.released, report.errors) == (0, 30, [])
    payouts = PayoutRequest.objects.order_by("escrow_id")
    assert [p.escrow_id for p in payouts] == [e.pk for e in escrows]  # exactly one each
    for payout in payouts.select_related("escrow"):
        escrow = payout.escrow
        assert escrow.status == EscrowStatus.RELEASED
        assert escrow.resolved_at is not None
        assert escrow.amount == escrow.commission + escrow.seller_amount
        assert (payout.kind, payout.amount, payout.status) == (
            PayoutKind.SELLER_PAYOUT,
            escrow.seller_amount,
            PayoutStatus.PENDING,
        )
        assert (payout.prefix, payout.phone, payout.last_error) == ("225", SELLER_PHONE, "")
        [released] = services.history(escrow)
        assert (released.from_status, released.to_status) == (EscrowStatus.CONFIRMED, EscrowStatus.RELEASED)
        assert (released.actor_kind, released.actor_label, released.reason) == (
            ActorKind.JOB,
            "nightly release",
            "security period over",
        )
        [created] = services.history(payout)
        assert (created.to_status, created.actor_label) == (PayoutStatus.PENDING, "nightly release")
    assert len({p.client_transaction_id for p in payouts}) == 30
    # Nothing leaves before commit; then one send task per batch and one signal per escrow.
    assert enqueued == []
    assert received["escrow_released"] == []


@pytest.mark.django_db(transaction=True)
def test_signals_and_sends_follow_each_batch_commit(buyer, seller, settings, signal_log, enqueued):
    settings.CINETPAY_JOB_BATCH_SIZE = 4
    escrows = due_escrows(buyer, seller, 10)

    services.release_due_escrows()

    released = signal_log.of("escrow_released")
    assert [kwargs["escrow"].pk for kwargs in released] == [e.pk for e in escrows]
    for kwargs in released:  # the fresh row and its payout
        assert kwargs["escrow"].status == EscrowStatus.RELEASED
        assert kwargs["payout"] == PayoutRequest.objects.get(escrow=kwargs["escrow"])
    payouts = list(PayoutRequest.objects.order_by("pk").values_list("pk", flat=True))
    assert [(r.task.name, r.args) for r in enqueued] == [
        ("send_payouts", [payouts[0:4]]),
        ("send_payouts", [payouts[4:8]]),
        ("send_payouts", [payouts[8:10]]),
    ]


class BrokenAdapter(SellerPhoneAdapter):
    """The host's profile service fails for the escrows in ``broken``."""

    broken: frozenset[int] = frozenset()

    def get_payout_destination(self, escrow: EscrowTransaction) -> Any:
        if escrow.pk in self.broken:
            raise RuntimeError("profile service down")
        return super().get_payout_destination(escrow)


def test_an_escrow_whose_adapter_raises_is_reported_and_its_batch_goes_on(
    buyer, seller, settings, monkeypatch, caplog
):
    settings.CINETPAY_JOB_BATCH_SIZE = 5
    settings.CINETPAY_ADAPTER = "tests.escrow.test_release_batches.BrokenAdapter"
    escrows = due_escrows(buyer, seller, 10)
    bad = escrows[2]
    monkeypatch.setattr(BrokenAdapter, "broken", frozenset({bad.pk}))

    with caplog.at_level(logging.ERROR, "django_cinetpay"):
        report = services.release_due_escrows()

    assert report.released == 9
    assert [(e.pk, str(error)) for e, error in report.errors] == [(bad.pk, "profile service down")]
    assert f"Escrow {bad.pk} could not be processed" in caplog.text
    bad.refresh_from_db()
    assert bad.status == EscrowStatus.CONFIRMED  # untouched: the next run tries again
    assert not services.history(bad).exists()
    assert PayoutRequest.objects.count() == 9
    monkeypatch.setattr(BrokenAdapter, "broken", frozenset())
    assert services.release_due_escrows().released == 1


def test_the_command_names_the_escrows_it_could_not_release_and_fails(
    buyer, seller, settings, monkeypatch, capsys
):
    settings.CINETPAY_ADAPTER = "tests.escrow.test_release_batches.BrokenAdapter"
    bad, _ = due_escrows(buyer, seller, 2)
    monkeypatch.setattr(BrokenAdapter, "broken", frozenset({bad.pk}))

    with pytest.raises(CommandError, match="1 escrow"):
        call_command("cinetpay_release_due_escrows")

    out, err = capsys.readouterr()
    assert out == "0 escrow(s) confirmed for silent buyers, 1 released.\n"
    assert f"escrow {bad.pk} ({bad.payment.transaction_id}): profile service down" in err


def test_a_row_the_database_refuses_holds_back_no_other_escrow(buyer, seller, settings):
    settings.CINETPAY_JOB_BATCH_SIZE = 5
    escrows = due_escrows(buyer, seller, 5)
    bad = escrows[3]
    # A payout already active for this escrow: a second one would break one payout per escrow and kind.
    PayoutRequest.objects.create(escrow=bad, kind=PayoutKind.SELLER_PAYOUT, amount=9_500, currency="XOF")

    report = services.release_due_escrows()

    assert report.released == 4
    [(escrow, error)] = report.errors
    assert escrow.pk == bad.pk
    assert isinstance(error, IntegrityError)
    bad.refresh_from_db()
    assert bad.status == EscrowStatus.CONFIRMED
    assert not services.history(bad).exists()
    assert PayoutRequest.objects.filter(escrow=bad).count() == 1
    others = EscrowTransaction.objects.exclude(pk=bad.pk)
    assert set(others.values_list("status", flat=True)) == {EscrowStatus.RELEASED}
    assert [services.history(e).count() for e in others] == [1] * 4


def test_a_payout_id_drawn_twice_costs_a_second_write_not_an_escrow(buyer, seller, settings, monkeypatch):
    settings.CINETPAY_JOB_BATCH_SIZE = 4
    due_escrows(buyer, seller, 4)
    drawn = iter(["TRTWICE", "TRTWICE"])  # the random part of two ids alike, as happens by the thousand
    field = PayoutRequest._meta.get_field("client_transaction_id")
    monkeypatch.setattr(field, "default", lambda: next(drawn, None) or generate_client_transaction_id())

    report = services.release_due_escrows()

    assert (report.released, report.errors) == (4, [])  # each half drew new ids
    assert len(set(PayoutRequest.objects.values_list("client_transaction_id", flat=True))) == 4


def test_the_limit_bounds_a_run_across_batches(buyer, seller, settings):
    settings.CINETPAY_JOB_BATCH_SIZE = 2
    due_escrows(buyer, seller, 6)

    assert services.release_due_escrows(limit=3).released == 3
    assert services.release_due_escrows().released == 3
    assert services.release_due_escrows().released == 0


def test_silent_buyers_are_confirmed_and_released_in_batches_with_no_security_period(buyer, seller, settings):
    settings.CINETPAY_JOB_BATCH_SIZE = 3
    settings.CINETPAY_ESCROW_AUTO_CONFIRM_AFTER = dt.timedelta(days=7)
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    escrows = due_escrows(buyer, seller, 7)
    EscrowTransaction.objects.update(
        status=EscrowStatus.HELD,
        confirmed_at=None,
        release_due_at=None,
        created_at=timezone.now() - dt.timedelta(days=8),
    )

    report = services.release_due_escrows()

    assert (report.confirmed, report.released) == (7, 7)
    for escrow in escrows:
        escrow.refresh_from_db()
        assert escrow.status == EscrowStatus.RELEASED
        assert escrow.confirmed_at == escrow.release_due_at == escrow.resolved_at
        assert [(c.to_status, c.reason) for c in services.history(escrow)] == [
            (EscrowStatus.CONFIRMED, "buyer did not answer"),
            (EscrowStatus.RELEASED, "no security period"),
        ]
    assert PayoutRequest.objects.count() == 7
