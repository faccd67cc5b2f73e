"""Random interleavings of everything that can happen to money, with the reconcile invariants after each step.

Hypothesis drives payments, duplicate notifications, buyers, staff, the release and payout jobs and
CinetPay's Transfer API (validations, rejections, refusals, timeouts before and after it acted). After
every step the books must balance (the very functions ``cinetpay_reconcile`` runs) and each payout's
status must agree with what CinetPay holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import responses
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

from .conftest import Fault, TransferAPI, accept, make_payment

pick = st.integers(min_value=0, max_value=50)
amounts = st.integers(min_value=20, max_value=200_000).map(lambda n: n * 5)
SEND_FAULTS = ["602", "716", "721", Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_AFTER]

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
    """One marketplace, rolled back after each example."""

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        self.mock.start()
        self.api = TransferAPI(self.mock)
        users = get_user_model().objects
        self.buyer = users.create_user("acheteur", "a@example.com", "pw")
        self.seller = users.create_user("vendeur", "v@example.com", "pw")
        staff = users.create_user("staff", "s@example.com", "pw", is_staff=True)
        staff.user_permissions.add(
            *Permission.objects.filter(codename__in=["resolve_escrowtransaction", "retry_payoutrequest"])
        )
        self.staff = users.get(pk=staff.pk)
        self.escrows: list[int] = []

    def teardown(self) -> None:
        self.mock.stop()
        self.mock.reset()
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

    @rule(amount=amounts)
    def pay(self, amount: int) -> None:
        self.escrows.append(accept(make_payment(self.buyer, self.seller, amount)).escrow.pk)

    @precondition(lambda self: self.escrows)
    @rule(index=pick)
    def duplicate_notification(self, index: int) -> None:
        before = EscrowTransaction.objects.count()
        accept(self.escrow(index).payment)
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
    def next_send_goes_wrong(self, fault: str) -> None:
        self.api.fail_next("send", fault)

    @precondition(lambda self: PayoutRequest.objects.filter(status=PayoutStatus.SUBMITTED).exists())
    @rule(index=pick, treatment=st.sampled_from(["VAL", "REJ"]), notified=st.booleans())
    def cinetpay_finishes_a_transfer(self, index: int, treatment: str, notified: bool) -> None:
        payout = self.payout(index, PayoutStatus.SUBMITTED)
        assert payout is not None
        self.api.settle(payout.client_transaction_id, treatment)
        if notified:
            services.refresh_payout(payout, actor=services.Actor.notification(None))

    # --- invariants ---------------------------------------------------------------------------------------

    @invariant()
    def the_books_balance(self) -> None:
        assert find_discrepancies() == []

    @invariant()
    def payouts_agree_with_cinetpay(self) -> None:
        for payout in PayoutRequest.objects.all():
            transfer = self.api.transfers.get(payout.client_transaction_id)
            treatment = transfer["treatment_status"] if transfer else None
            assert treatment in AGREES_WITH_CINETPAY[payout.status], (payout.status, treatment)

    @invariant()
    def every_state_is_audited(self) -> None:
        for obj in [*EscrowTransaction.objects.all(), *PayoutRequest.objects.all()]:
            assert services.history(obj).last().to_status == obj.status


@pytest.mark.django_db
def test_random_interleavings_keep_the_books_balanced(settings: Any) -> None:
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(hours=1)
    run_state_machine_as_test(
        MoneyMachine, settings=hypothesis_settings(max_examples=15, stateful_step_count=30, deadline=None)
    )
