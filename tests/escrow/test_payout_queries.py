"""What a payout costs, in database statements and in calls to CinetPay, once the job runs steadily.

In real transactions (``transaction=True``), as the job runs them: each transaction shows as ``BEGIN`` …
``COMMIT`` on SQLite and PostgreSQL alike, so the counts asserted include them and the budgets (issue 11)
are stated without them. A payout is sent in two short transactions, the claim before the HTTP call and
the answer after it, never one held open across the call. The login token and the contacts added are
remembered in Django's cache (``CINETPAY_CACHE``): in steady state a payout costs CinetPay one call to
send it, and one check when it settles.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from django_cinetpay import services
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.states import PayoutStatus
from tests.queries import statements, transaction_control

from .conftest import TRANSFER_URL, TransferAPI, accept, make_payment

pytestmark = pytest.mark.django_db(transaction=True)

#: One payout sent and answered NEW: claimed (locked, audited, moved to ``sending``, committed before
#: the call), then the answer applied (locked again, audited, moved to ``submitted``). 6 statements.
SENT = [
    "BEGIN",
    "SELECT cinetpay_payoutrequest",
    "INSERT cinetpay_statechange",
    "UPDATE cinetpay_payoutrequest",
    "COMMIT",
    "BEGIN",
    "SELECT cinetpay_payoutrequest",
    "INSERT cinetpay_statechange",
    "UPDATE cinetpay_payoutrequest",
    "COMMIT",
]
#: One payout checked and found done (VAL): locked, audited, moved to ``completed``.
SETTLED = [
    "BEGIN",
    "SELECT cinetpay_payoutrequest",
    "INSERT cinetpay_statechange",
    "UPDATE cinetpay_payoutrequest",
    "COMMIT",
]
#: The job's one read of the payouts due.
BATCH = ["SELECT cinetpay_payoutrequest"]


@pytest.fixture(autouse=True)
def _settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)
    settings.CINETPAY_PAYOUT_CHECK_INTERVAL = dt.timedelta(0)
    ContentType.objects.get_for_models(PayoutRequest, EscrowTransaction)


def released(buyer, seller, count: int) -> list[PayoutRequest]:  # type: ignore[no-untyped-def]
    """``count`` released escrows' seller payouts, pending, all to the same seller's number."""
    payouts = []
    for _ in range(count):
        escrow = accept(make_payment(buyer, seller)).escrow
        services.confirm_receipt(escrow, buyer)
        payouts.append(PayoutRequest.objects.get(escrow=escrow))
    return payouts


def calls(api: TransferAPI, path: str) -> int:
    return sum(1 for call in api.mock.calls if call.request.url.split("?")[0] == f"{TRANSFER_URL}{path}")


def test_each_payout_the_job_sends_costs_six_statements(
    buyer, seller, transfer_api, django_assert_num_queries
):
    payouts = released(buyer, seller, 3)
    with django_assert_num_queries(len(BATCH) + 3 * len(SENT)) as captured:
        report = services.process_payouts()
    assert report.count(services.Step.SENT) == 3
    assert statements(captured) == BATCH + SENT * 3
    assert len(SENT) - transaction_control(SENT) == 6
    assert {p.status for p in PayoutRequest.objects.filter(pk__in=[p.pk for p in payouts])} == {"submitted"}
    # One login and one contact for the batch, one send per payout.
    assert (transfer_api.logins, calls(transfer_api, "/transfer/contact"), len(transfer_api.sends)) == (
        1,
        1,
        3,
    )


def test_in_steady_state_a_payout_costs_one_call_to_send_and_one_to_settle(
    buyer, seller, transfer_api, django_assert_num_queries
):
    released(buyer, seller, 1)
    services.process_payouts()  # the first payout logs in and adds the seller as a contact
    transfer_api.mock.calls.reset()
    payouts = released(buyer, seller, 2)
    services.process_payouts(limit=2)  # the 2 new ones first: never tried yet
    assert [call.request.url.split("?")[0] for call in transfer_api.mock.calls] == [
        f"{TRANSFER_URL}/transfer/money/send/contact"
    ] * 2

    transfer_api.mock.calls.reset()
    for payout in PayoutRequest.objects.all():
        transfer_api.settle(payout.client_transaction_id, "VAL")
    with django_assert_num_queries(len(BATCH) + 3 * len(SETTLED)) as captured:
        services.process_payouts()
    assert statements(captured) == BATCH + SETTLED * 3
    assert calls(transfer_api, "/transfer/check/money") == 3
    assert len(transfer_api.mock.calls) == 3
    assert all(
        p.status == PayoutStatus.COMPLETED
        for p in PayoutRequest.objects.filter(pk__in=[p.pk for p in payouts])
    )


def test_a_contact_cinetpay_lost_is_added_again_and_the_payout_sent(buyer, seller, transfer_api):
    """Removed in the back-office after it was remembered: 724 proves nothing was sent, so the contact
    is added again and the same send replayed once, with the same id."""
    released(buyer, seller, 1)
    services.process_payouts()
    transfer_api.contacts.clear()
    (payout,) = released(buyer, seller, 1)
    result = services.process_payout(payout)
    assert result.step == services.Step.SENT
    assert result.payout.status == PayoutStatus.SUBMITTED
    assert transfer_api.sends_of(payout.client_transaction_id) == 2  # the 724, then the one sent
    assert payout.client_transaction_id in transfer_api.transfers
    assert calls(transfer_api, "/transfer/contact") == 2
