"""What a payment notification costs the database, statement by statement, as production runs it.

Each test runs in real transactions (``transaction=True``), as a request does in autocommit: an atomic
block shows as ``BEGIN`` … ``COMMIT``. Both backends log those two, so the counts asserted include them,
and the budgets (issue 11) are stated without them. A nested atomic block would add ``SAVEPOINT`` and
``RELEASE SAVEPOINT``: those would count, as the round trips they are, and these paths have none.
Django's ContentType cache is warmed first, as any process has it after its first audit row. The
counts are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from django_cinetpay import services
from django_cinetpay.client import CheckResult
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction, EscrowTransaction, StateChange
from django_cinetpay.services.audit import record, written_together
from django_cinetpay.services.verdicts import apply_check_result, recheck_window
from django_cinetpay.states import PaymentStatus
from tests.queries import statements, transaction_control
from tests.testapp.models import Listing

from .conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db(transaction=True)

#: An accepted notification: the request stored (committed at once), the payment read, then under one
#: transaction the lock (the payment with its order's other payments), the escrow opened (never looked
#: for: accepted is final, so none can exist), the payment updated and both audit rows (payment accepted,
#: escrow held) written in one INSERT; last, the notification's outcome. 7 statements, and the check call
#: in between.
ACCEPTED = [
    "INSERT cinetpay_cinetpaynotification",
    "SELECT cinetpay_cinetpaytransaction",
    "BEGIN",
    "SELECT cinetpay_cinetpaytransaction",
    "INSERT cinetpay_escrowtransaction",
    "UPDATE cinetpay_cinetpaytransaction",
    "INSERT cinetpay_statechange",
    "COMMIT",
    "UPDATE cinetpay_cinetpaynotification",
]
#: A notification for a payment whose outcome is final: stored, the payment read, the outcome noted.
ALREADY_FINAL = [
    "INSERT cinetpay_cinetpaynotification",
    "SELECT cinetpay_cinetpaytransaction",
    "UPDATE cinetpay_cinetpaynotification",
]


@pytest.fixture(autouse=True)
def _content_types_cached() -> None:
    ContentType.objects.get_for_models(CinetPayTransaction, EscrowTransaction)


def _accept_by_a_poll(tx: CinetPayTransaction) -> None:
    """Accepted without a payer number, as a return visit or a status poll accepts it."""
    result = CheckResult(
        code="00", message="SUCCES", status="ACCEPTED", amount=tx.amount, currency=tx.currency
    )
    apply_check_result(tx, result, actor=services.Actor.check("poll"))


def _refuse(tx: CinetPayTransaction) -> None:
    result = CheckResult(code="600", message="PAYMENT_FAILED", status="REFUSED")
    apply_check_result(tx, result, actor=services.Actor.check("test"))


def test_an_accepted_notification_costs_seven_statements(
    client, pending_payment, api, django_assert_num_queries
):
    api.check("ACCEPTED")
    with django_assert_num_queries(9) as captured:
        response = post_notification(client, notification_fields(pending_payment))
    assert (response.status_code, response.content) == (200, b"applied")
    assert statements(captured) == ACCEPTED
    assert len(ACCEPTED) - transaction_control(ACCEPTED) == 7
    assert api.calls_to("/payment/check") == 1
    pending_payment.refresh_from_db()
    assert pending_payment.status == PaymentStatus.ACCEPTED
    assert pending_payment.payer_phone == "0707070707"
    audit = StateChange.objects.order_by("pk")
    assert [(row.from_status, row.to_status) for row in audit][-2:] == [("pending", "accepted"), ("", "held")]


def test_an_order_costs_no_more(client, buyer, seller, api, django_assert_num_queries):
    """The lock takes every payment of the order in the same one query."""
    listing = Listing.objects.create(title="Compte Free Fire", price=1000, seller=seller)
    options = {"buyer": buyer, "seller": seller, "amount": 1000, "description": "Compte", "order": listing}
    _refuse(services.create_payment(**options))  # an earlier attempt of the same order
    api.init_ok()
    tx = services.create_payment(**options)
    services.start_checkout(tx, actor=services.Actor.system())
    api.check("ACCEPTED")
    with django_assert_num_queries(9) as captured:
        response = post_notification(client, notification_fields(tx))
    assert response.content == b"applied"
    assert statements(captured) == ACCEPTED


def test_a_duplicate_of_an_accepted_payment_costs_three_statements_and_no_call(
    client, pending_payment, api, django_assert_num_queries
):
    api.check("ACCEPTED")
    fields = notification_fields(pending_payment)
    post_notification(client, fields)
    api.mock.reset()  # no check answer left: a call to CinetPay would fail the notification (503)
    with django_assert_num_queries(3) as captured:
        response = post_notification(client, fields)
    assert (response.status_code, response.content) == (200, b"already processed")
    assert statements(captured) == ALREADY_FINAL
    assert len(api.mock.calls) == 0
    assert CinetPayNotification.objects.order_by("pk").last().processed


def test_a_duplicate_gives_an_accepted_payment_its_missing_payer_number_without_a_check(
    client, pending_payment, api, django_assert_num_queries
):
    """Accepted by a poll first: the verified notification that follows still says which number paid.

    Accepted is final, so CinetPay is not asked; the number is taken under the same rules as with a
    check (a v2 check answer has no number anyway), and never replaces one already there.
    """
    _accept_by_a_poll(pending_payment)
    api.mock.reset()
    with django_assert_num_queries(4) as captured:
        response = post_notification(client, notification_fields(pending_payment))
    assert response.content == b"already processed"
    assert statements(captured) == [
        *ALREADY_FINAL[:2],
        "UPDATE cinetpay_cinetpaytransaction",
        ALREADY_FINAL[2],
    ]
    pending_payment.refresh_from_db()
    assert (pending_payment.payer_phone_prefix, pending_payment.payer_phone) == ("225", "0707070707")

    with django_assert_num_queries(3):
        post_notification(client, notification_fields(pending_payment, cel_phone_num="0505050505"))
    pending_payment.refresh_from_db()
    assert pending_payment.payer_phone == "0707070707"  # refunds go where the money came from
    assert len(api.mock.calls) == 0


def test_a_refusal_past_the_recheck_window_is_final_too(
    client, pending_payment, api, django_assert_num_queries
):
    _refuse(pending_payment)
    window = recheck_window()
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(
        checkout_started_at=timezone.now() - window - dt.timedelta(minutes=1)
    )
    api.mock.reset()
    with django_assert_num_queries(3) as captured:
        response = post_notification(client, notification_fields(pending_payment))
    assert (response.status_code, response.content) == (200, b"already processed")
    assert statements(captured) == ALREADY_FINAL
    assert len(api.mock.calls) == 0


def test_a_refusal_within_the_recheck_window_is_still_checked(client, pending_payment, api):
    """CinetPay lets the customer pay again on the same checkout: the notification may say so."""
    _refuse(pending_payment)
    api.check("ACCEPTED")
    response = post_notification(client, notification_fields(pending_payment))
    assert response.content == b"applied"
    assert api.calls_to("/payment/check") == 1
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED


class _Stop(Exception):
    pass


def _record_then_fail(tx: CinetPayTransaction) -> None:
    with written_together():  # inside another block: joins it
        record(tx, "x", "y", services.Actor.system())
        raise _Stop


def test_audit_rows_written_together_keep_their_order_and_go_when_the_block_raises(pending_payment):
    with written_together():
        record(pending_payment, "a", "b", services.Actor.system())
        with pytest.raises(_Stop):
            _record_then_fail(pending_payment)
        record(pending_payment, "b", "c", services.Actor.system())
        assert not StateChange.objects.filter(to_status__in=["b", "c"]).exists()  # queued, not written
    rows = StateChange.objects.filter(from_status__in=["a", "b", "x"]).order_by("created_at", "pk")
    assert [(row.from_status, row.to_status) for row in rows] == [("a", "b"), ("b", "c")]
