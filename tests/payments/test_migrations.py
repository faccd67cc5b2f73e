"""Migration 0004 upgrades a database where orders were already paid twice (before this release)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cinetpay", "0003_payoutrequest_needs_review")]
AFTER = [("cinetpay", "0004_order_duplicates_and_send_permission")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_migrations():  # type: ignore[no-untyped-def]
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_orders_paid_twice_keep_their_first_payment_and_mark_the_others(buyer, seller):
    from tests.testapp.models import Listing

    listing = Listing.objects.create(title="Compte", price=1000, seller=seller)
    old = migrate(BEFORE)
    Payment = old.get_model("cinetpay", "CinetPayTransaction")
    ContentType = old.get_model("contenttypes", "ContentType")
    listing_type = ContentType.objects.get(app_label="testapp", model="listing")
    now = timezone.now()

    def paid(transaction_id, minutes, order_id, status="accepted"):  # type: ignore[no-untyped-def]
        return Payment.objects.create(
            transaction_id=transaction_id,
            buyer_id=buyer.pk,
            seller_id=seller.pk,
            order_content_type=listing_type,
            order_object_id=order_id,
            amount=1000,
            currency="XOF",
            description="Compte",
            status=status,
            paid_at=now + timezone.timedelta(minutes=minutes),
        )

    first = paid("CPFIRST", 0, str(listing.pk))
    late = paid("CPLATE", 5, str(listing.pk))
    refused = paid("CPREFUSED", 3, str(listing.pk), status="refused")
    other_order = paid("CPOTHER", 1, "999")

    new = migrate(AFTER)
    Payment = new.get_model("cinetpay", "CinetPayTransaction")
    duplicate_of = dict(Payment.objects.values_list("transaction_id", "duplicate_of__transaction_id"))
    assert duplicate_of == {"CPFIRST": None, "CPLATE": "CPFIRST", "CPREFUSED": None, "CPOTHER": None}
    assert {first.pk, late.pk, refused.pk, other_order.pk} == set(
        Payment.objects.values_list("pk", flat=True)
    )
