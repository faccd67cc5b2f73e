"""Each list and each record's page costs a fixed number of queries, whatever the rows, the payouts or the
notifications there are: pinned exactly, statement by statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus
from tests.escrow.conftest import accept, make_payment
from tests.payments.conftest import notification_fields, post_notification
from tests.queries import statements

pytestmark = pytest.mark.django_db

SESSION = ["SELECT django_session", "SELECT auth_user"]
#: A staff member's permissions, read once per request (their own, then their groups').
PERMISSIONS = ["SELECT auth_permission", "SELECT auth_permission"]

#: Each list: its rows, then the count of its filtered rows (the paginator).
LISTS = {
    CinetPayTransaction: ["SELECT cinetpay_cinetpaytransaction"] * 2,
    EscrowTransaction: ["SELECT cinetpay_escrowtransaction"] * 2,
    PayoutRequest: ["SELECT cinetpay_payoutrequest"] * 2,
    CinetPayNotification: ["SELECT cinetpay_cinetpaynotification"] * 2,
}

#: Each record's page, after the record itself: what it links to, and its audit trail.
PAGES = {
    CinetPayTransaction: [
        "SELECT cinetpay_cinetpaytransaction",  # with its buyer and seller
        *PERMISSIONS,
        "SELECT cinetpay_statechange",
        "SELECT cinetpay_escrowtransaction",
        "SELECT cinetpay_payoutrequest",
        "SELECT cinetpay_cinetpaynotification",
    ],
    EscrowTransaction: [
        "SELECT cinetpay_escrowtransaction",  # with its payment, buyer and seller
        *PERMISSIONS,
        "SELECT cinetpay_statechange",
        "SELECT cinetpay_payoutrequest",
    ],
    PayoutRequest: [
        "SELECT cinetpay_payoutrequest",
        *PERMISSIONS,
        "SELECT cinetpay_statechange",
        "SELECT cinetpay_escrowtransaction",
        "SELECT cinetpay_cinetpaytransaction",
        "SELECT auth_user",  # the seller
        "SELECT auth_user",  # the buyer
        "SELECT cinetpay_payoutrequest",  # the payout that retried it
    ],
    CinetPayNotification: [
        "SELECT cinetpay_cinetpaynotification",
        *PERMISSIONS,
        "SELECT cinetpay_cinetpaytransaction",
    ],
}


@pytest.fixture
def operator(staff_with: Any) -> Any:
    """Staff holding every action's permission: every button is considered."""
    return staff_with(
        "operateur",
        "recheck_cinetpaytransaction",
        "resolve_escrowtransaction",
        "retry_payoutrequest",
        "send_payoutrequest",
        "change_cinetpaynotification",
    )


def add_world(client: Any, buyer: Any, seller: Any, staff: Any) -> dict[type[Model], Model]:
    """A refunded dispute whose refund failed and was retried, with a stored notification; returns the
    newest record of each kind."""
    escrow = services.open_dispute(accept(make_payment(buyer, seller)).escrow, buyer, "litige")
    post_notification(client, notification_fields(escrow.payment))
    services.resolve_dispute(escrow, staff, EscrowStatus.REFUNDED, "remboursé")
    return {
        CinetPayTransaction: escrow.payment,
        EscrowTransaction: escrow,
        PayoutRequest: PayoutRequest.objects.get(escrow=escrow),
        CinetPayNotification: CinetPayNotification.objects.latest("received_at"),
    }


def shapes(client: Any, url: str, django_assert_num_queries: Any, expected: list[str]) -> None:
    """The page's queries, once Django's per-process content type cache holds what it reads."""
    for model in PAGES:
        ContentType.objects.get_for_model(model)
    with django_assert_num_queries(len(expected)) as captured:
        assert client.get(url).status_code == 200
    assert statements(captured) == expected


@pytest.mark.parametrize("model", list(LISTS))
def test_a_list_costs_the_same_at_any_size(
    client, operator, buyer, seller, staff, api, django_assert_num_queries, model
):
    url = reverse(f"admin:cinetpay_{model._meta.model_name}_changelist")
    client.force_login(operator)
    add_world(client, buyer, seller, staff)
    # PostgreSQL first reads its estimate of the table's rows (see django_cinetpay.changelists).
    estimate = ["SELECT pg_class"] if connection.vendor == "postgresql" else []
    expected = [*SESSION, *PERMISSIONS, *estimate, *LISTS[model]]
    shapes(client, url, django_assert_num_queries, expected)
    for _ in range(3):
        add_world(client, buyer, seller, staff)
    shapes(client, url, django_assert_num_queries, expected)


@pytest.mark.parametrize("model", list(PAGES))
def test_a_page_costs_the_same_whatever_it_links(
    client, operator, buyer, seller, staff, api, django_assert_num_queries, model
):
    client.force_login(operator)
    world = add_world(client, buyer, seller, staff)
    url = reverse(f"admin:cinetpay_{model._meta.model_name}_change", args=[world[model].pk])
    shapes(client, url, django_assert_num_queries, [*SESSION, *PAGES[model]])
    for _ in range(12):  # more notifications than the payment's page lists
        post_notification(client, notification_fields(world[CinetPayTransaction]))
    shapes(client, url, django_assert_num_queries, [*SESSION, *PAGES[model]])
