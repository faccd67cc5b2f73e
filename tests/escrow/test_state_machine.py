"""Random interleavings of everything that can happen to money, with the reconcile invariants after each step.

Hypothesis drives payments and duplicate notifications on the CinetPay fake (``django_cinetpay.testing``),
buyers, staff, the release and payout jobs, and the fake's Transfer API (validations, rejections, a low
balance, timeouts after it acted, gateway errors before it did, lost notifications). After every step the
books must balance (the very functions ``cinetpay_reconcile`` runs), every state must be audited, and each
payout's status must agree with what CinetPay holds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from django_cinetpay import exceptions, services
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.states import EscrowStatus, PayoutStatus
from django_cinetpay.testing import CinetPayFake, Fault

from .conftest import make_payment

pick = st.integers(min_value=0, max_value=50)
amounts = st.integers(min_value=20, max_value=40_000).map(lambda n: n * 5)
#: Faults of the next send: CinetPay acted but the answer is lost, or a gateway failed before it.
SEND_FAULTS = [Fault.TIMEOUT, Fault.MALFORMED_JSON, Fault.SERVER_ERROR, Fault.HTML]
BALANCE = 1_000_000

#: What CinetPay may hold for a payout in each status (None: no transfer). We may lag behind CinetPay
#: (a submitted payout it has finished, until the next check), never claim more than it says.
AGREES_WITH_CINETPAY: dict[str, set[str | None]] = {
    PayoutStatus.PENDING: {None},
    PayoutStatus.SUBMITTED: {"NEW", "VAL", "REJ"},
    PayoutStatus.COMPLETED: {"VAL"},
    PayoutStatus.FAILED: {None, "REJ"},
    PayoutStatus.UNKNOWN: {None, "NEW", "VAL", "REJ"},
}


class MoneyMachine(RuleBasedStateMachine):
    """One marketplace and one CinetPay, rolled back after each example."""

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.cinetpay = CinetPayFake(transfer_balance=BALANCE).start()
        users = get_user_model().objects
        self.buyer = users.create_user("acheteur", "a@example.com", "pw", first_name="Awa", last_name="Koné")
        self.seller = users.create_user("vendeur", "v@example.com", "pw", first_name="Koffi", last_name="Yao")
        staff = users.create_user("staff", "s@example.com", "pw", is_staff=True)
        staff.user_permissions.add(
            *Permission.objects.filter(codename__in=["resolve_escrowtransaction", "retry_payoutrequest"])
        )
        self.staff = users.get(pk=staff.pk)
        self.escrows: list[int] = []

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

    @rule(amount=amounts, duplicated=st.booleans())
    def pay(self, amount: int, duplicated: bool) -> None:
        tx = make_payment(self.buyer, self.seller, amount)
        services.start_checkout(tx, actor=services.Actor.for_user(self.buyer))
        self.cinetpay.pay(tx, notification=Fault.DUPLICATE if duplicated else None)
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
        services.retry_payout(failed, self.staff)

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

    @invariant()
    def the_books_balance(self) -> None:
        assert find_discrepancies() == []

    @invariant()
    def payouts_agree_with_cinetpay(self) -> None:
        held = {t.client_transaction_id: t.treatment_status for t in self.cinetpay.transfers}
        for payout in PayoutRequest.objects.all():
            treatment = held.get(payout.client_transaction_id)
            assert treatment in AGREES_WITH_CINETPAY[payout.status], (payout.status, treatment)

    @invariant()
    def every_state_is_audited(self) -> None:
        for obj in [*EscrowTransaction.objects.all(), *PayoutRequest.objects.all()]:
            assert services.history(obj).last().to_status == obj.status


@pytest.mark.django_db
def test_random_interleavings_keep_the_books_balanced(settings: Any) -> None:
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(hours=1)
    settings.CINETPAY_PAYOUT_CHECK_INTERVAL = dt.timedelta(0)  # each payout job re-checks submitted payouts
    run_state_machine_as_test(
        MoneyMachine, settings=hypothesis_settings(max_examples=15, stateful_step_count=30, deadline=None)
    )
