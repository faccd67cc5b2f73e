"""Property: whatever happens to notifications and checks, money CinetPay took reaches the books.

Hypothesis drives customers through CinetPay's checkout (refuse, wait, pay, cancel), while notifications
are lost, duplicated or delivered out of order and the check endpoint fails at random. After the recovery
job runs with CinetPay reachable again, every payment CinetPay accepted is accepted locally with exactly
one escrow, and no payment CinetPay did not accept is.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_cinetpay import services
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction
from django_cinetpay.services.reconcile import find_discrepancies
from django_cinetpay.simulator.engine import CustomerError
from django_cinetpay.simulator.engine.records import PaymentState
from django_cinetpay.states import PaymentStatus
from django_cinetpay.testing import Fault

pytestmark = pytest.mark.django_db(transaction=True)

ACTIONS = ("refuse", "wait", "pay", "cancel", "notify")
DELIVERY = st.sampled_from([None, Fault.LOST, Fault.DUPLICATE, Fault.OUT_OF_ORDER])
CHECK_FAULTS = st.sampled_from([None, Fault.SERVER_ERROR, Fault.TIMEOUT, Fault.HTML, Fault.MALFORMED_JSON])
STEP = st.tuples(st.integers(0, 2), st.sampled_from(ACTIONS), DELIVERY, CHECK_FAULTS, st.integers(1, 4))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=10))
def test_every_payment_cinetpay_accepted_ends_accepted_with_one_escrow(cinetpay, buyer, seller, steps):
    payments = [
        services.create_payment(buyer=buyer, seller=seller, amount=1000, currency="XOF", description="Skin")
        for _ in range(3)
    ]
    for tx in payments:
        services.start_checkout(tx, actor=services.Actor.system())

    for index, action, delivery, check_fault, times in steps:
        tx = payments[index]
        if check_fault is not None:
            cinetpay.fail(check_fault, "payment/check", times=times)
        try:
            if action == "notify":
                cinetpay.notify(tx, notification=delivery)
            else:
                getattr(cinetpay, action)(tx, notification=delivery)
        except CustomerError:  # not possible at CinetPay in this state (e.g. paying a cancelled checkout)
            pass
        cinetpay.clear_faults()

    call_command("cinetpay_check_pending", "--older-than", "0")

    for tx in payments:
        local = CinetPayTransaction.objects.get(pk=tx.pk)
        at_cinetpay = cinetpay.payment(tx).state
        if at_cinetpay == PaymentState.ACCEPTED:
            assert local.status == PaymentStatus.ACCEPTED, (steps, at_cinetpay)
            assert EscrowTransaction.objects.filter(payment=local).count() == 1
        else:
            assert local.status != PaymentStatus.ACCEPTED, (steps, at_cinetpay)
    assert find_discrepancies() == []
