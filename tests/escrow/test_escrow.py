"""Escrow transitions (every allowed and forbidden one), permissions, audit, signals and the release job."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import transaction
from django.utils import timezone

from django_cinetpay import exceptions, services
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import ActorKind, EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

from .adapter import SELLER_PHONE
from .conftest import PAYER_PHONE, accept, make_payment

pytestmark = pytest.mark.django_db

HELD, CONFIRMED, DISPUTED = EscrowStatus.HELD, EscrowStatus.CONFIRMED, EscrowStatus.DISPUTED
RELEASED, REFUNDED = EscrowStatus.RELEASED, EscrowStatus.REFUNDED
NOOP, INVALID, DENIED = "no-op", "invalid", "denied"


def counts(report: services.ReleaseReport) -> tuple[int, int]:
    """A release job's ``(confirmed, released)``."""
    return report.confirmed, report.released


def make_due(escrow: EscrowTransaction) -> None:
    """Let the security period of a confirmed escrow pass."""
    EscrowTransaction.objects.filter(pk=escrow.pk).update(
        release_due_at=timezone.now() - dt.timedelta(seconds=1)
    )


def bring_to(state: str, escrow: EscrowTransaction, buyer, staff) -> EscrowTransaction:  # type: ignore[no-untyped-def]
    """Move a held escrow to ``state`` through the services (``*_after_dispute``: through a dispute)."""
    if state in (CONFIRMED, RELEASED):
        services.confirm_receipt(escrow, buyer)
    if state == RELEASED:
        make_due(escrow)
        assert counts(services.release_due_escrows()) == (0, 1)
    if state == REFUNDED:
        services.refund_escrow(escrow, staff, "sale cancelled")
    if state.startswith(DISPUTED) or state.endswith("after_dispute"):
        services.open_dispute(escrow, buyer, "the account was not delivered")
    if state == "released_after_dispute":
        services.resolve_dispute(escrow, staff, RELEASED, "delivery proven")
    if state == "refunded_after_dispute":
        services.resolve_dispute(escrow, staff, REFUNDED, "never delivered")
    escrow.refresh_from_db()
    return escrow


STATES = [HELD, CONFIRMED, DISPUTED, RELEASED, REFUNDED, "released_after_dispute", "refunded_after_dispute"]

#: What each action does from each state: the new status, a no-op, or an error.
EXPECTED = {
    "confirm": [CONFIRMED, NOOP, INVALID, NOOP, INVALID, NOOP, INVALID],
    "dispute": [DISPUTED, DISPUTED, NOOP, INVALID, INVALID, INVALID, INVALID],
    "resolve_released": [INVALID, INVALID, RELEASED, INVALID, INVALID, NOOP, INVALID],
    "resolve_refunded": [INVALID, INVALID, REFUNDED, INVALID, INVALID, INVALID, NOOP],
    "staff_refund": [REFUNDED, INVALID, REFUNDED, INVALID, NOOP, INVALID, NOOP],
    "seller_cancel": [REFUNDED, INVALID, DENIED, INVALID, NOOP, INVALID, NOOP],
}


def act(action: str, escrow: EscrowTransaction, buyer, seller, staff) -> None:  # type: ignore[no-untyped-def]
    if action == "confirm":
        services.confirm_receipt(escrow, buyer)
    elif action == "dispute":
        services.open_dispute(escrow, buyer, "it does not work")
    elif action.startswith("resolve_"):
        services.resolve_dispute(escrow, staff, action.removeprefix("resolve_"), "decided")
    elif action == "staff_refund":
        services.refund_escrow(escrow, staff, "decided")
    else:
        services.refund_escrow(escrow, seller, "I cannot deliver")


@pytest.mark.parametrize(
    ("action", "state", "expected"),
    [
        (action, state, outcome)
        for action, outcomes in EXPECTED.items()
        for state, outcome in zip(STATES, outcomes, strict=True)
    ],
)
def test_every_transition(action, state, expected, escrow, buyer, seller, staff):
    escrow = bring_to(state, escrow, buyer, staff)
    before = (escrow.status, services.history(escrow).count(), PayoutRequest.objects.count())
    if expected in (INVALID, DENIED):
        error = exceptions.InvalidTransitionError if expected == INVALID else exceptions.PermissionDeniedError
        with pytest.raises(error):
            act(action, escrow, buyer, seller, staff)
    else:
        act(action, escrow, buyer, seller, staff)
    escrow.refresh_from_db()
    after = (escrow.status, services.history(escrow).count(), PayoutRequest.objects.count())
    if expected in (INVALID, DENIED, NOOP):
        assert after == before  # nothing changed, nothing audited, no payout
    else:
        assert escrow.status == expected
        assert after[1] == before[1] + 1


def test_the_security_period_ends_the_right_to_dispute(escrow, buyer):
    services.confirm_receipt(escrow, buyer)
    make_due(escrow)
    with pytest.raises(exceptions.InvalidTransitionError):
        services.open_dispute(escrow, buyer, "too late")
    escrow.refresh_from_db()
    assert escrow.status == CONFIRMED


def test_a_dispute_needs_a_reason_and_a_resolution_a_note(escrow, buyer, staff):
    with pytest.raises(ValueError, match="reason"):
        services.open_dispute(escrow, buyer, "   ")
    services.open_dispute(escrow, buyer, "broken")
    with pytest.raises(ValueError, match="note"):
        services.resolve_dispute(escrow, staff, RELEASED, "")
    with pytest.raises(ValueError, match="released or refunded"):
        services.resolve_dispute(escrow, staff, CONFIRMED, "back to confirmed")


# --- permissions ---------------------------------------------------------------------------------------

ACTIONS = {
    "confirm": lambda e, u: services.confirm_receipt(e, u),
    "dispute": lambda e, u: services.open_dispute(e, u, "problem"),
    "resolve": lambda e, u: services.resolve_dispute(e, u, RELEASED, "ok"),
    "refund": lambda e, u: services.refund_escrow(e, u, "ok"),
}
#: Who may do what; staff act on a disputed escrow (the seller may refund only a held one, below).
ALLOWED = {"confirm": {"buyer"}, "dispute": {"buyer"}, "resolve": {"staff"}, "refund": {"staff"}}
PEOPLE = ["buyer", "seller", "other", "staff without permission", "staff"]


@pytest.fixture
def people(buyer, seller, other_user, staff_user, staff):  # type: ignore[no-untyped-def]
    return dict(zip(PEOPLE, [buyer, seller, other_user, staff_user, staff], strict=True))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_do_what(action, who, escrow, people):
    if ALLOWED[action] == {"staff"}:
        services.open_dispute(escrow, people["buyer"], "problem")
        escrow.refresh_from_db()
    before = (escrow.status, services.history(escrow).count())
    if who not in ALLOWED[action]:
        with pytest.raises(exceptions.PermissionDeniedError):
            ACTIONS[action](escrow, people[who])
        escrow.refresh_from_db()
        assert (escrow.status, services.history(escrow).count()) == before
        return
    ACTIONS[action](escrow, people[who])
    change = services.history(escrow).last()
    expected_kind = ActorKind.ADMIN if who == "staff" else ActorKind.USER
    assert (change.from_status, change.actor_kind, change.actor_user) == (
        before[0],
        expected_kind,
        people[who],
    )


def test_the_seller_cancels_a_held_sale(escrow, seller):
    services.refund_escrow(escrow, seller, "out of stock")
    change = services.history(escrow).last()
    assert (change.actor_kind, change.actor_user, change.reason) == (ActorKind.USER, seller, "out of stock")


# --- opening, audit, payouts, signals -----------------------------------------------------------------


def test_the_escrow_is_opened_in_the_transaction_that_accepts_the_payment(buyer, seller, settings):
    payment = make_payment(buyer, seller)
    settings.CINETPAY_COMMISSION_RATE = "2"  # opening the escrow fails …
    with pytest.raises(exceptions.CinetPayConfigurationError):
        accept(payment)
    payment.refresh_from_db()  # … so the payment is not accepted either: never money without escrow
    assert payment.status == PaymentStatus.CREATED
    assert not EscrowTransaction.objects.exists()


def test_a_repeated_acceptance_opens_no_second_escrow(buyer, seller):
    payment = accept(make_payment(buyer, seller))
    accept(CinetPayTransaction.objects.get(pk=payment.pk))
    assert EscrowTransaction.objects.filter(payment=payment).count() == 1
    escrow = payment.escrow
    change = services.history(escrow).get()
    assert (change.from_status, change.to_status, change.actor_kind) == ("", HELD, ActorKind.CHECK)


def test_every_change_is_audited_with_its_actor(escrow, buyer, staff):
    services.open_dispute(escrow, buyer, "wrong item")
    services.resolve_dispute(escrow, staff, REFUNDED, "seller agreed")
    rows = list(services.history(escrow).values_list("from_status", "to_status", "actor_kind", "reason"))
    assert rows == [
        ("", HELD, ActorKind.CHECK, "commission 500 at 5.00%"),
        (HELD, DISPUTED, ActorKind.USER, "wrong item"),
        (DISPUTED, REFUNDED, ActorKind.ADMIN, "seller agreed"),
    ]
    escrow.refresh_from_db()
    assert escrow.resolution_note == "seller agreed"
    assert escrow.resolved_at is not None


def test_a_release_creates_one_seller_payout_to_the_adapters_destination(escrow, buyer, settings):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    services.confirm_receipt(escrow, buyer)
    escrow.refresh_from_db()
    assert escrow.status == RELEASED
    payout = PayoutRequest.objects.get()
    assert (payout.kind, payout.amount, payout.currency) == (PayoutKind.SELLER_PAYOUT, 9_500, "XOF")
    assert (payout.prefix, payout.phone, payout.status) == ("225", SELLER_PHONE, PayoutStatus.PENDING)
    assert payout.client_transaction_id.isalnum()
    assert [c.to_status for c in services.history(escrow)] == [HELD, CONFIRMED, RELEASED]


def test_a_refund_goes_to_the_number_that_paid(escrow, staff):
    services.refund_escrow(escrow, staff, "cancelled")
    payout = PayoutRequest.objects.get()
    assert (payout.kind, payout.amount) == (PayoutKind.REFUND, 10_000)
    assert (payout.prefix, payout.phone, payout.last_error) == ("225", PAYER_PHONE, "")


@pytest.mark.parametrize(
    ("prefix", "country", "currency", "expected"),
    [
        ("+221", "", "XOF", "221"),  # from CinetPay's verified notification
        ("+221", "CI", "XOF", "221"),  # … whatever country the buyer typed
        ("", "", "XAF", "237"),  # XAF is paid in one country only
        ("", "CM", "XAF", "237"),
        ("", "", "XOF", ""),  # XOF is used in seven countries: no guess
        ("", "SN", "XOF", ""),  # the buyer-typed country is never trusted with real money
        ("", "CI", "XAF", "237"),  # … nor allowed to override the currency's country
    ],
)
def test_the_refund_prefix_comes_from_the_notification_or_a_one_country_currency(
    prefix, country, currency, expected, buyer, seller, staff, settings
):
    settings.CINETPAY_CURRENCIES = ("XOF", "XAF")
    payment = services.create_payment(
        buyer=buyer, seller=seller, amount=1_000, currency=currency, description="x", customer_country=country
    )
    phone = {"221": "701234567", "237": "671234567"}.get(expected, "0707070707")  # valid there
    escrow = accept(payment, prefix=prefix, phone=phone).escrow
    services.refund_escrow(escrow, staff, "cancelled")
    payout = PayoutRequest.objects.get()
    assert payout.prefix == expected
    assert bool(payout.last_error) is (expected == "")
    if not expected:
        assert "paying number" in payout.last_error


def test_a_missing_seller_destination_is_shown_to_staff_not_raised(escrow, buyer, settings):
    settings.CINETPAY_ADAPTER = "django_cinetpay.adapter.DefaultAdapter"
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    services.confirm_receipt(escrow, buyer)
    payout = PayoutRequest.objects.get()
    assert payout.status == PayoutStatus.PENDING
    assert not payout.has_destination
    assert "get_payout_destination" in payout.last_error


def test_signals_are_sent_once_after_commit(
    escrow, buyer, staff, signal_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.open_dispute(escrow, buyer, "broken")
        services.open_dispute(escrow, buyer, "broken again")  # no-op: no second signal
        assert signal_log.events == []  # nothing before commit
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_dispute(escrow, staff, REFUNDED, "refund")
        services.resolve_dispute(escrow, staff, REFUNDED, "refund")
    assert signal_log.names() == ["escrow_disputed", "escrow_refunded"]
    disputed, refunded = signal_log.of("escrow_disputed")[0], signal_log.of("escrow_refunded")[0]
    assert (disputed["escrow"].pk, disputed["reason"], disputed["user"]) == (escrow.pk, "broken", buyer)
    assert refunded["payout"] == PayoutRequest.objects.get()


def test_a_rolled_back_change_sends_no_signal(escrow, buyer, signal_log, django_capture_on_commit_callbacks):
    def dispute_then_fail() -> None:
        with transaction.atomic():
            services.open_dispute(escrow, buyer, "broken")
            raise RuntimeError("the caller's transaction fails")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        dispute_then_fail()
    assert signal_log.events == []
    escrow.refresh_from_db()
    assert escrow.status == HELD


def test_released_signal_names_the_payout_and_the_send_is_enqueued_after_commit(
    escrow, buyer, settings, signal_log, enqueued, django_capture_on_commit_callbacks
):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.confirm_receipt(escrow, buyer)
    assert enqueued == []
    for callback in callbacks:
        callback()
    payout = PayoutRequest.objects.get()
    assert [(r.task.name, r.args) for r in enqueued] == [("send_payouts", [[payout.pk]])]
    assert signal_log.of("escrow_released") == [{"escrow": escrow, "payout": payout}]


# --- the release job ------------------------------------------------------------------------------------


def test_the_job_releases_only_escrows_whose_period_passed(buyer, seller):
    due, waiting, held = (accept(make_payment(buyer, seller)).escrow for _ in range(3))
    services.confirm_receipt(due, buyer)
    services.confirm_receipt(waiting, buyer)
    make_due(due)
    assert counts(services.release_due_escrows()) == (0, 1)
    assert [e.status for e in EscrowTransaction.objects.order_by("pk")] == [RELEASED, CONFIRMED, HELD]
    assert counts(services.release_due_escrows()) == (0, 0)
    change = services.history(due).last()
    assert (change.actor_kind, change.reason) == (ActorKind.JOB, "security period over")
    assert PayoutRequest.objects.get().escrow == due
    assert held.status == HELD


def test_the_job_confirms_for_silent_buyers_when_configured(escrow, settings):
    settings.CINETPAY_ESCROW_AUTO_CONFIRM_AFTER = dt.timedelta(days=7)
    assert counts(services.release_due_escrows()) == (0, 0)
    EscrowTransaction.objects.filter(pk=escrow.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert counts(services.release_due_escrows()) == (1, 0)
    escrow.refresh_from_db()
    assert escrow.status == CONFIRMED  # the buyer still has the security period to report a problem
    assert services.history(escrow).last().reason == "buyer did not answer"
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    other = accept(make_payment(escrow.payment.buyer, escrow.payment.seller)).escrow
    EscrowTransaction.objects.filter(pk=other.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert counts(services.release_due_escrows()) == (1, 1)  # zero period: confirmed and released at once


def test_one_failing_escrow_does_not_block_the_others(buyer, seller, settings, caplog):
    first, second = (accept(make_payment(buyer, seller)).escrow for _ in range(2))
    for escrow in (first, second):
        services.confirm_receipt(escrow, buyer)
        make_due(escrow)
    settings.CINETPAY_ADAPTER = "tests.escrow.test_escrow.BrokenForFirstAdapter"
    BrokenForFirstAdapter.broken_pk = first.pk
    with caplog.at_level(logging.ERROR, "django_cinetpay"):
        report = services.release_due_escrows()
    assert counts(report) == (0, 1)
    assert [(e.pk, str(error)) for e, error in report.errors] == [(first.pk, "profile service down")]
    assert f"Escrow {first.pk} could not be processed" in caplog.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (CONFIRMED, RELEASED)
    assert list(PayoutRequest.objects.values_list("escrow", flat=True)) == [second.pk]


class BrokenForFirstAdapter:
    broken_pk = 0

    def get_payout_destination(self, escrow):  # type: ignore[no-untyped-def]
        if escrow.pk == self.broken_pk:
            raise RuntimeError("profile service down")
        return None


@pytest.mark.parametrize(("period", "expected"), [(0, RELEASED), (3600, CONFIRMED), ("", None)])
def test_periods_given_in_seconds_at_run_time_work(escrow, buyer, settings, period, expected):
    # override_settings skips django-appconf's start-up normalisation: numbers must still be accepted.
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = period
    if expected is None:
        with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_ESCROW_SECURITY_PERIOD"):
            services.confirm_receipt(escrow, buyer)
        return
    services.confirm_receipt(escrow, buyer)
    escrow.refresh_from_db()
    assert escrow.status == expected


# --- receivers that fail -----------------------------------------------------------------------------


@pytest.fixture
def failing_receiver():  # type: ignore[no-untyped-def]
    """An ``escrow_released`` receiver of the host that raises for the escrows in ``broken``."""
    from django_cinetpay import signals

    broken: set[int] = set()

    def receiver(sender, escrow, **kwargs):  # type: ignore[no-untyped-def]
        if escrow.pk in broken:
            raise RuntimeError("host bug")

    signals.escrow_released.connect(receiver, weak=False, dispatch_uid="failing-receiver")
    yield broken
    signals.escrow_released.disconnect(dispatch_uid="failing-receiver")


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_stops_no_other_escrow_of_a_release_batch(
    buyer, seller, failing_receiver, signal_log, enqueued, caplog
):
    first, second = (accept(make_payment(buyer, seller)).escrow for _ in range(2))
    for escrow in (first, second):
        services.confirm_receipt(escrow, buyer)
        make_due(escrow)
    failing_receiver.add(first.pk)
    with caplog.at_level(logging.ERROR):
        assert counts(services.release_due_escrows()) == (0, 2)  # committed together, in one transaction
    assert [kwargs["escrow"].pk for kwargs in signal_log.of("escrow_released")] == [first.pk, second.pk]
    payouts = list(PayoutRequest.objects.order_by("escrow_id").values_list("pk", flat=True))
    assert [r.args for r in enqueued] == [[payouts]]  # both sends queued, one task for the batch
    assert "host bug" in caplog.text  # logged, with its traceback
    assert [e.status for e in EscrowTransaction.objects.order_by("pk")] == [RELEASED, RELEASED]


def test_a_failing_receiver_does_not_fail_the_buyers_confirmation(
    escrow, buyer, settings, failing_receiver, signal_log, enqueued, django_capture_on_commit_callbacks
):
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    failing_receiver.add(escrow.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_receipt(escrow, buyer)  # no error for the buyer: the release is committed
    payout = PayoutRequest.objects.get()
    assert signal_log.of("escrow_released") == [{"escrow": escrow, "payout": payout}]
    assert [r.args for r in enqueued] == [[[payout.pk]]]


def test_confirmation_is_announced_once_by_the_buyer_or_for_a_silent_one(
    escrow, buyer, seller, settings, signal_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_receipt(escrow, buyer)
        services.confirm_receipt(escrow, buyer)  # no-op: no second signal
    assert signal_log.names() == ["escrow_confirmed"]
    assert signal_log.of("escrow_confirmed")[0]["automatic"] is False
    assert signal_log.of("escrow_confirmed")[0]["escrow"].status == CONFIRMED

    settings.CINETPAY_ESCROW_AUTO_CONFIRM_AFTER = dt.timedelta(days=7)
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    silent = accept(make_payment(buyer, seller)).escrow
    EscrowTransaction.objects.filter(pk=silent.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    signal_log.events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.release_due_escrows()
    assert signal_log.names() == ["escrow_confirmed", "escrow_released"]
    assert signal_log.of("escrow_confirmed")[0]["automatic"] is True
