"""Random interleavings of everything that can happen to money, with the reconcile invariants after each step.

Hypothesis drives payments and duplicate notifications on the CinetPay fake (``django_cinetpay.testing``),
buyers, staff, the release and payout jobs, and the fake's Transfer API (validations, rejections, a low
balance, timeouts after it acted, gateway errors before it did, lost notifications, and a send it refused
yet took). Payments come in XOF and XAF from Côte d'Ivoire and Cameroon numbers, so some payouts are due
in a currency CinetPay does not pay at their destination. After every step the books must balance (the
very functions ``cinetpay_reconcile`` runs, which must report exactly the failed payouts CinetPay holds as
sent), every state must be audited, each payout's status must agree with what CinetPay holds, no escrow's
money may be in more than one live transfer, and no transfer may go to a country paid in another currency.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from django_cinetpay import exceptions, services
from django_cinetpay.client.vocabulary import transfer_currency_problem
from django_cinetpay.exceptions import PayoutRetryRefusedError
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.simulator.engine import Transfer
from django_cinetpay.states import EscrowStatus, PayoutStatus
from django_cinetpay.testing import CinetPayFake, Fault

pick = st.integers(min_value=0, max_value=50)
amounts = st.integers(min_value=20, max_value=40_000).map(lambda n: n * 5)
#: Faults of the next send: CinetPay acted but the answer is lost, or a gateway failed before it.
SEND_FAULTS = [Fault.TIMEOUT, Fault.MALFORMED_JSON, Fault.SERVER_ERROR, Fault.HTML]
BALANCE = 1_000_000

#: What CinetPay may hold for a payout in each status (None: no transfer). We may lag behind CinetPay
#: (a submitted payout it has finished, until the next check), never claim more than it says. A failed
#: payout may only differ when CinetPay took a send it answered with a refusal (the ``took`` rule).
AGREES_WITH_CINETPAY: dict[str, set[str | None]] = {
    PayoutStatus.PENDING: {None},
    PayoutStatus.SUBMITTED: {"NEW", "VAL", "REJ"},
    PayoutStatus.COMPLETED: {"VAL"},
    PayoutStatus.FAILED: {None, "REJ"},
    PayoutStatus.UNKNOWN: {None, "NEW", "VAL", "REJ"},
}
LIVE = {"NEW", "VAL"}


class MoneyMachine(RuleBasedStateMachine):
    """One marketplace and one CinetPay, rolled back after each example."""

    #: The transfer balance CinetPay starts with.
    start_balance = BALANCE

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.cinetpay = CinetPayFake(transfer_balance=self.start_balance).start()
        users = get_user_model().objects
        self.buyer = users.create_user("acheteur", "a@example.com", "pw", first_name="Awa", last_name="Koné")
        self.seller = users.create_user("vendeur", "v@example.com", "pw", first_name="Koffi", last_name="Yao")
        staff = users.create_user("staff", "s@example.com", "pw", is_staff=True)
        staff.user_permissions.add(
            *Permission.objects.filter(codename__in=["resolve_escrowtransaction", "retry_payoutrequest"])
        )
        self.staff = users.get(pk=staff.pk)
        self.escrows: list[int] = []
        #: client_transaction_ids of failed payouts CinetPay took after all, and whether we were told.
        self.took: dict[str, bool] = {}

    def teardown(self) -> None:
        self.cinetpay.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def escrow(self, index: int) -> EscrowTransaction:
        return EscrowTransaction.objects.select_related("payment").get(
            pk=self.escrows[index % len(self.escrows)]
        )

    def payout(self, index: int, status: str) -> PayoutRequest | None:
        payouts = list(PayoutRequest.objects.filter(status=status).order_by("pk"))
        return payouts[index % len(payouts)] if payouts else None

    # --- buyers, payments and staff ---------------------------------------------------------------------

    @rule(
        amount=amounts,
        duplicated=st.booleans(),
        currency=st.sampled_from(["XOF", "XOF", "XAF"]),
        prefix=st.sampled_from(["", "", "225", "237"]),
    )
    def pay(self, amount: int, duplicated: bool, currency: str, prefix: str) -> None:
        """A buyer pays; sellers are paid in Côte d'Ivoire (XOF), refunds go to the paying number."""
        tx = services.create_payment(
            buyer=self.buyer, seller=self.seller, amount=amount, currency=currency, description="Compte"
        )
        services.start_checkout(tx, actor=services.Actor.for_user(self.buyer))
        self.cinetpay.pay(tx, prefix=prefix, notification=Fault.DUPLICATE if duplicated else None)
        self.escrows.append(EscrowTransaction.objects.get(payment=tx).pk)

    @precondition(lambda self: self.escrows)
    @rule(index=pick)
    def duplicate_notification(self, index: int) -> None:
        before = EscrowTransaction.objects.count()
        assert [d.status for d in self.cinetpay.notify(self.escrow(index).payment)] == [200]
        assert EscrowTransaction.objects.count() == before

    @precondition(lambda self: self.escrows)
    @rule(index=pick)
    def confirm(self, index: int) -> None:
        escrow = self.escrow(index)
        try:
            services.confirm_receipt(escrow, self.buyer)
        except exceptions.InvalidTransitionError:
            assert escrow.status in (EscrowStatus.DISPUTED, EscrowStatus.REFUNDED)

    @precondition(lambda self: self.escrows)
    @rule(index=pick)
    def dispute(self, index: int) -> None:
        escrow = self.escrow(index)
        try:
            services.open_dispute(escrow, self.buyer, "not as described")
        except exceptions.InvalidTransitionError:
            assert not escrow.is_disputable()

    @precondition(lambda self: self.escrows)
    @rule(index=pick, outcome=st.sampled_from([EscrowStatus.RELEASED, EscrowStatus.REFUNDED]))
    def resolve(self, index: int, outcome: str) -> None:
        escrow = self.escrow(index)
        try:
            services.resolve_dispute(escrow, self.staff, outcome, "decided")
        except exceptions.InvalidTransitionError:
            assert escrow.status != EscrowStatus.DISPUTED

    @precondition(lambda self: self.escrows)
    @rule(index=pick, by_seller=st.booleans())
    def refund(self, index: int, by_seller: bool) -> None:
        escrow = self.escrow(index)
        try:
            services.refund_escrow(escrow, self.seller if by_seller else self.staff, "cancelled")
        except (exceptions.InvalidTransitionError, exceptions.PermissionDeniedError):
            assert escrow.status not in (EscrowStatus.HELD, EscrowStatus.REFUNDED)

    @rule()
    def security_period_passes(self) -> None:
        EscrowTransaction.objects.filter(status=EscrowStatus.CONFIRMED).update(
            release_due_at=timezone.now() - dt.timedelta(seconds=1)
        )

    @rule()
    def release_job(self) -> None:
        services.release_due_escrows()

    @precondition(lambda self: PayoutRequest.objects.filter(status=PayoutStatus.FAILED).exists())
    @rule(index=pick)
    def staff_retry(self, index: int) -> None:
        failed = self.payout(index, PayoutStatus.FAILED)
        assert failed is not None
        try:
            services.retry_payout(failed, self.staff)
        except PayoutRetryRefusedError:  # only when CinetPay holds its transfer in progress or done
            assert self.held().get(failed.client_transaction_id) in LIVE
            failed.refresh_from_db()
            assert failed.needs_review
        else:
            assert self.held().get(failed.client_transaction_id) in (None, "REJ")

    @precondition(lambda self: PayoutRequest.objects.current().filter(status=PayoutStatus.FAILED).exists())
    @rule(index=pick, told=st.booleans())
    def cinetpay_took_a_refused_send(self, index: int, told: bool) -> None:
        """CinetPay created the transfer of a send it answered with a refusal (it should never do so)."""
        candidates = [
            p
            for p in PayoutRequest.objects.current().filter(status=PayoutStatus.FAILED).order_by("pk")
            if p.client_transaction_id not in self.held()
        ]
        if not candidates:
            return
        payout = candidates[index % len(candidates)]
        self.cinetpay.store.add_transfer(
            Transfer(
                transaction_id=f"TRTOOK{payout.pk}",
                client_transaction_id=payout.client_transaction_id,
                lot="",
                amount=payout.amount,
                prefix=payout.prefix,
                phone=payout.phone,
                notify_url="",
                created_at=self.cinetpay.now().isoformat(),
            )
        )
        self.took[payout.client_transaction_id] = told
        if told:  # a transfer notification (or staff's "check now") makes us look
            services.refresh_payout(payout, actor=services.Actor.notification(None))

    # --- payouts and CinetPay ---------------------------------------------------------------------------

    @rule()
    def payout_job(self) -> None:
        services.process_payouts()

    @rule(fault=st.sampled_from(SEND_FAULTS))
    def next_send_goes_wrong(self, fault: Fault) -> None:
        self.cinetpay.fail(fault, "transfer/money/send/contact")

    @rule(balance=st.sampled_from([0, 50_000, BALANCE]))
    def balance_changes(self, balance: int) -> None:
        """The merchant's transfer balance runs low (CinetPay answers 602) or is topped up."""
        self.cinetpay.options = dataclasses.replace(self.cinetpay.options, transfer_balance=balance)

    @rule(
        index=pick, validated=st.booleans(), notification=st.sampled_from([None, Fault.DUPLICATE, Fault.LOST])
    )
    def cinetpay_finishes_a_transfer(self, index: int, validated: bool, notification: Fault | None) -> None:
        waiting = [t for t in self.cinetpay.transfers if t.treatment_status == "NEW"]
        if waiting:
            settle = self.cinetpay.validate_transfer if validated else self.cinetpay.reject_transfer
            assert {d.status for d in settle(waiting[index % len(waiting)], notification=notification)} <= {
                200
            }

    # --- invariants ---------------------------------------------------------------------------------------

    def held(self) -> dict[str, str]:
        """What CinetPay holds: ``client_transaction_id`` → ``treatment_status``."""
        return {t.client_transaction_id: t.treatment_status for t in self.cinetpay.transfers}

    @invariant()
    def the_books_balance(self) -> None:
        """Reconcile finds nothing but the failed payouts CinetPay reported as sent, which it must find."""
        flagged = PayoutRequest.objects.filter(status=PayoutStatus.FAILED, needs_review=True)
        found = find_discrepancies()
        assert {d.invariant for d in found} <= {"failed-payout-sent"}, found
        named = sorted(re.search(r"\bTR\w+", d.subject).group() for d in found)  # type: ignore[union-attr]
        assert named == sorted(p.client_transaction_id for p in flagged)

    @invariant()
    def payouts_agree_with_cinetpay(self) -> None:
        held = self.held()
        for payout in PayoutRequest.objects.all():
            treatment = held.get(payout.client_transaction_id)
            if payout.client_transaction_id in self.took:
                if self.took[payout.client_transaction_id] and treatment in LIVE:
                    assert payout.needs_review, payout  # we were told: flagged, never retried
                continue
            assert treatment in AGREES_WITH_CINETPAY[payout.status], (payout.status, treatment)
            assert not payout.needs_review

    @invariant()
    def no_escrow_is_paid_out_twice(self) -> None:
        """Per escrow and kind, at most one transfer CinetPay holds in progress or done."""
        held = self.held()
        live: dict[tuple[int, str], list[str]] = {}
        for payout in PayoutRequest.objects.all():
            if held.get(payout.client_transaction_id) in LIVE:
                live.setdefault((payout.escrow_id, payout.kind), []).append(payout.client_transaction_id)
        assert all(len(ids) == 1 for ids in live.values()), live
        assert not PayoutRequest.objects.filter(needs_review=True, retried_by__isnull=False).exists()

    @invariant()
    def transfers_are_paid_in_the_payouts_currency(self) -> None:
        """CinetPay pays in the recipient's country's currency: nothing goes to another currency's country."""
        sent = set(self.held())
        for payout in PayoutRequest.objects.exclude(phone=""):
            problem = transfer_currency_problem(payout.prefix, payout.currency)
            if problem:
                assert payout.client_transaction_id not in sent, payout
                assert payout.status == PayoutStatus.PENDING
                assert problem in payout.last_error

    @invariant()
    def every_state_is_audited(self) -> None:
        for obj in [*EscrowTransaction.objects.all(), *PayoutRequest.objects.all()]:
            assert services.history(obj).last().to_status == obj.status


class BrokeMoneyMachine(MoneyMachine):
    """The same marketplace with an empty transfer balance at first: sends fail (602) until a top-up, so
    failed payouts, staff retries and sends CinetPay took despite a refusal come up often."""

    start_balance = 0

    @initialize(count=st.integers(min_value=1, max_value=3))
    def sellers_released_while_broke(self, count: int) -> None:
        """Released escrows (no security period) whose payouts the job sends on an empty balance."""
        for _ in range(count):
            self.pay(amount=10_000, duplicated=False, currency="XOF", prefix="")
            services.confirm_receipt(self.escrow(-1), self.buyer)
        services.process_payouts()
        assert PayoutRequest.objects.filter(status=PayoutStatus.FAILED).count() == 1  # 602 stops the job


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("machine", "security_period"),
    [(MoneyMachine, dt.timedelta(hours=1)), (BrokeMoneyMachine, dt.timedelta(0))],
    ids=["funded", "broke"],
)
def test_random_interleavings_keep_the_books_balanced(
    machine: type[MoneyMachine], security_period: dt.timedelta, settings: Any
) -> None:
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = security_period  # zero: a confirmation releases at once
    settings.CINETPAY_PAYOUT_CHECK_INTERVAL = dt.timedelta(0)  # each payout job re-checks submitted payouts
    run_state_machine_as_test(
        machine, settings=hypothesis_settings(max_examples=15, stateful_step_count=30, deadline=None)
    )
