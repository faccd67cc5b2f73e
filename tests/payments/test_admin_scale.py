"""The admin's lists at scale: queries that do not grow with the table, no full count of a big table,
filters and searches an index serves, and those searches still finding buyers, sellers and ids.

Timings are left to ``benchmarks/admin_lists.py``; these tests pin what makes them hold.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin import ListFilter
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_cinetpay.changelists import EstimatedCountPaginator, KnownValuesFilter, LargeTableAdmin
from django_cinetpay.models import (
    CinetPayNotification,
    CinetPayTransaction,
    EscrowTransaction,
    NotificationKind,
    PayoutRequest,
)
from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

pytestmark = pytest.mark.django_db

#: Each list, with the query strings a staff member opens it with (every filter, a search).
LISTS: dict[type[Model], list[str]] = {
    CinetPayTransaction: [
        "",
        "status__exact=accepted",
        "currency__exact=XOF",
        "payment_method__exact=OM",
        "needs_review__exact=1",
        "duplicate_of__isempty=0",
        "created_at__gte=2000-01-01T00:00:00%2B00:00",
        "q=CP000000000005",
        "q=buyer0",
        "o=1",
    ],
    CinetPayNotification: ["", "kind__exact=payment", "valid__exact=0", "processed__exact=0", "q=CP0000"],
    EscrowTransaction: ["", "status__exact=held", "currency__exact=XOF", "q=CP000000000005", "q=seller1"],
    PayoutRequest: [
        "",
        "status__exact=failed",
        "needs_review__exact=1",
        "kind__exact=refund",
        "currency__exact=XOF",
        "q=TR0000",
        "q=CP000000000005",
        "q=seller1",
        "q=buyer0",
    ],
}


def seed(count: int, start: int = 0) -> None:
    """``count`` more rows in each listed table (payment ``i`` has id ``CP{i:012d}``), by ``bulk_create``."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    buyer, _ = users.get_or_create(username="buyer0")
    seller, _ = users.get_or_create(username="seller1")
    numbers = range(start, start + count)
    payments = CinetPayTransaction.objects.bulk_create(
        CinetPayTransaction(
            transaction_id=f"CP{i:012d}",
            buyer=buyer,
            seller=seller,
            amount=1000,
            currency="XOF",
            description="Compte",
            status=PaymentStatus.ACCEPTED,
            payment_method="OM",
            operator_id=f"OP{i}",
            needs_review=i % 7 == 0,
        )
        for i in numbers
    )
    escrows = EscrowTransaction.objects.bulk_create(
        EscrowTransaction(
            payment=payment,
            amount=1000,
            currency="XOF",
            commission_rate="0.0500",
            commission=50,
            seller_amount=950,
        )
        for payment in payments
    )
    PayoutRequest.objects.bulk_create(
        PayoutRequest(
            escrow=escrow,
            kind=PayoutKind.SELLER_PAYOUT,
            amount=950,
            currency="XOF",
            client_transaction_id=f"TR{i:012d}",
            transaction_id=f"T{i}",
            status=PayoutStatus.FAILED if i % 3 else PayoutStatus.COMPLETED,
        )
        for i, escrow in zip(numbers, escrows, strict=True)
    )
    CinetPayNotification.objects.bulk_create(
        CinetPayNotification(
            kind=NotificationKind.PAYMENT,
            method="POST",
            reference=payment.transaction_id,
            transaction=payment,
            valid=True,
            processed=True,
        )
        for payment in payments
    )


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:cinetpay_{model._meta.model_name}_changelist")


def queries_per_list(client: Any) -> dict[str, int]:
    """The number of queries each list and query string costs, and every answer checked to be a page."""
    counts = {}
    for model, query_strings in LISTS.items():
        for query in query_strings:
            url = f"{changelist(model)}?{query}"
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[url] = len(captured)
    return counts


def test_queries_do_not_grow_with_the_rows(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    seed(10)
    with_ten = queries_per_list(client)
    seed(990, start=10)
    assert queries_per_list(client) == with_ten


def test_no_list_reads_distinct_values_dates_or_full_totals(client: Any, admin_user: Any) -> None:
    """No ``SELECT DISTINCT`` (value filters), no MIN/MAX (date hierarchy), one count at most per page."""
    client.force_login(admin_user)
    seed(3)
    for model, query_strings in LISTS.items():
        for query in query_strings:
            with CaptureQueriesContext(connection) as captured:
                client.get(f"{changelist(model)}?{query}")
            sql = [q["sql"].upper() for q in captured]
            assert not [s for s in sql if "DISTINCT" in s or "MIN(" in s or "MAX(" in s], query
            assert sum("COUNT(" in s for s in sql) <= 1, query


def _indexed_columns(model: type[Model]) -> set[str]:
    """Columns an index leads with, or that a partial index's condition names (``needs_review=True``)."""
    columns = {f.name for f in model._meta.fields if f.primary_key or f.unique or f.db_index}
    for index in model._meta.indexes:
        columns.add(index.fields[0].lstrip("-"))
        if index.condition is not None:
            columns |= {name for name, _ in index.condition.children}
    return columns


def _column(model: type[Model], path: str) -> tuple[type[Model], str]:
    """The model and column a lookup path compares (``payment__transaction_id__startswith`` → the
    payment's ``transaction_id``; ``payment__buyer`` → the payment's ``buyer``)."""
    column = (model, "")
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # the lookup: startswith, exact
        column = (model, field.name)
        if field.is_relation:
            model = field.related_model  # type: ignore[assignment]
    return column


def _filtered(model_admin: LargeTableAdmin) -> set[str]:
    columns = set()
    for entry in model_admin.list_filter:
        if isinstance(entry, tuple):
            columns.add(entry[0])
        elif isinstance(entry, str):
            columns.add(entry)
        else:
            assert issubclass(entry, KnownValuesFilter), f"{entry} may not be served by an index"
            columns.add(entry.parameter_name.split("__")[0])
    return columns


def _sorted_column(model_admin: LargeTableAdmin, name: str) -> str:
    """The column a sortable list column sorts by: its own, or its display's ``ordering``."""
    display = getattr(model_admin, name, None)
    return getattr(display, "admin_order_field", name) if callable(display) else name


@pytest.mark.parametrize("model", list(LISTS))
def test_every_sort_filter_and_search_reads_an_index(model: type[Model]) -> None:
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, LargeTableAdmin)
    assert model_admin.date_hierarchy is None
    assert model_admin.show_full_result_count is False
    sorted_by = {_sorted_column(model_admin, name) for name in model_admin.sortable_by}
    own = {model._meta.ordering[0].lstrip("-"), *_filtered(model_admin), *sorted_by}
    columns = {(model, name) for name in own}
    columns |= {_column(model, lookup) for lookup in model_admin.search_fields}
    for relation, key in model_admin.search_related:
        columns.add(_column(model, relation))  # the rows are matched on this foreign key …
        related = model._meta.get_field(relation.split("__")[0]).related_model
        for name in relation.split("__")[1:]:
            related = related._meta.get_field(name).related_model  # type: ignore[union-attr]
        columns.add(_column(related, key))  # type: ignore[arg-type]  # … found by this key first
    unindexed = {(m.__name__, name) for m, name in columns if name not in _indexed_columns(m)}
    assert unindexed == set()


def test_currency_and_method_filters_keep_django_s_parameters() -> None:
    model_admin = admin.site._registry[CinetPayTransaction]
    known = [f for f in model_admin.list_filter if isinstance(f, type) and issubclass(f, ListFilter)]
    assert {f.parameter_name for f in known} == {"currency__exact", "payment_method__exact"}


# --- the count -----------------------------------------------------------------------------------------


def _counts(captured: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in captured if "COUNT(" in q["sql"].upper() and table in q["sql"]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", list(LISTS))
def test_a_large_table_is_not_counted_row_by_row(
    client: Any, admin_user: Any, monkeypatch: pytest.MonkeyPatch, model: type[Model]
) -> None:
    """Past the threshold (lowered here, so a test table is "large"), PostgreSQL's estimate numbers the
    pages; a filtered list is still counted exactly."""
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_from", 500)
    seed(1000)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist(model))
    assert _counts(captured, table) == []
    assert 900 <= response.context["cl"].result_count <= 1100
    assert len(response.context["cl"].result_list) == 100
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist(model), {"q": "CP000000000005"})
    assert len(_counts(captured, table)) == 1
    assert response.context["cl"].result_count >= 1


@pytest.mark.postgres
def test_a_small_table_is_counted_exactly(client: Any, admin_user: Any) -> None:
    seed(30)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist(CinetPayTransaction))
    assert len(_counts(captured, CinetPayTransaction._meta.db_table)) == 1
    assert response.context["cl"].result_count == 30


@pytest.mark.skipif(os.environ.get("CINETPAY_TEST_POSTGRES") == "1", reason="SQLite leg only")
def test_other_databases_are_counted_exactly(
    client: Any, admin_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_from", 0)
    seed(30)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(changelist(CinetPayTransaction))
    assert len(_counts(captured, CinetPayTransaction._meta.db_table)) == 1
    assert response.context["cl"].result_count == 30


# --- what the searches find ----------------------------------------------------------------------------


def found(client: Any, model: type[Model], search: str) -> set[str]:
    response = client.get(changelist(model), {"q": search})
    return {str(obj) for obj in response.context["cl"].result_list}


@pytest.fixture
def searchable(client: Any, admin_user: Any) -> Any:
    seed(12)
    client.force_login(admin_user)
    return client


def test_payments_by_id_start_operator_id_buyer_or_seller(searchable: Any, django_user_model: Any) -> None:
    other = django_user_model.objects.create_user("someone")
    CinetPayTransaction.objects.filter(transaction_id="CP000000000011").update(buyer=other)
    assert found(searchable, CinetPayTransaction, "CP000000000011") == {"CP000000000011"}
    assert found(searchable, CinetPayTransaction, "CP00000000001") == {"CP000000000010", "CP000000000011"}
    assert found(searchable, CinetPayTransaction, "OP4") == {"CP000000000004"}
    assert found(searchable, CinetPayTransaction, "someone") == {"CP000000000011"}
    assert len(found(searchable, CinetPayTransaction, "seller1")) == 12
    assert found(searchable, CinetPayTransaction, "someone CP000000000004") == set()  # every word must match
    assert found(searchable, CinetPayTransaction, "nobody") == set()


def test_escrows_by_payment_id_buyer_or_seller(searchable: Any, django_user_model: Any) -> None:
    other = django_user_model.objects.create_user("someone")
    CinetPayTransaction.objects.filter(transaction_id="CP000000000003").update(seller=other)
    assert found(searchable, EscrowTransaction, "CP000000000003") == {"escrow CP000000000003"}
    assert found(searchable, EscrowTransaction, "someone") == {"escrow CP000000000003"}
    assert len(found(searchable, EscrowTransaction, "buyer0")) == 12


def test_payouts_by_their_ids_or_their_payment_s_id(searchable: Any) -> None:
    assert found(searchable, PayoutRequest, "TR000000000002") == {"TR000000000002"}
    assert found(searchable, PayoutRequest, "T5") == {"TR000000000005"}
    assert found(searchable, PayoutRequest, "CP000000000007") == {"TR000000000007"}


def test_payouts_by_their_seller_or_buyer(searchable: Any, django_user_model: Any) -> None:
    other = django_user_model.objects.create_user("someone")
    CinetPayTransaction.objects.filter(transaction_id="CP000000000004").update(seller=other)
    assert found(searchable, PayoutRequest, "someone") == {"TR000000000004"}
    assert len(found(searchable, PayoutRequest, "seller1")) == 11
    assert len(found(searchable, PayoutRequest, "buyer0")) == 12
    assert found(searchable, PayoutRequest, "nobody") == set()


@pytest.mark.parametrize(
    ("model", "column"), [(CinetPayTransaction, "payer_phone"), (PayoutRequest, "phone")]
)
def test_phone_numbers_are_searched_only_through_an_index(
    searchable: Any, monkeypatch: pytest.MonkeyPatch, model: type[Model], column: str
) -> None:
    """With the model's index on the number (migration 0008), the number is found however it is typed,
    and only the rows paid from or to it; without an index the search leaves it alone (no scan of a big
    table)."""
    model.objects.filter(pk=model.objects.order_by("pk").first().pk).update(**{column: "0707070707"})
    url = changelist(model)
    assert [index for index in model._meta.indexes if index.fields == [column]]
    unindexed = [index for index in model._meta.indexes if index.fields != [column]]
    with monkeypatch.context() as patched:
        patched.setattr(model._meta, "indexes", unindexed)
        with CaptureQueriesContext(connection) as captured:
            assert found(searchable, model, "0707070707") == set()
        assert not [q for q in captured if f'"{column}" =' in q["sql"]]
    first = str(model.objects.order_by("pk").first())
    for typed in ("0707070707", "+2250707070707", "002250707070707"):
        assert found(searchable, model, typed) == {first}, typed
    assert found(searchable, model, "0505050505") == set()
    assert searchable.get(url, {"q": "+225 07"}).status_code == 200


def test_notifications_by_reference_start(searchable: Any) -> None:
    assert len(found(searchable, CinetPayNotification, "CP00000000000")) == 10


def test_filters_by_currency_and_method_keep_working(searchable: Any) -> None:
    CinetPayTransaction.objects.filter(transaction_id="CP000000000001").update(
        currency="XAF", payment_method="WAVE"
    )
    url = changelist(CinetPayTransaction)
    assert {str(o) for o in searchable.get(url, {"currency__exact": "XAF"}).context["cl"].result_list} == {
        "CP000000000001"
    }
    page = searchable.get(url, {"payment_method__exact": "WAVE"})
    assert {str(o) for o in page.context["cl"].result_list} == {"CP000000000001"}
    assert "Orange Money" in page.content.decode()  # the filter names methods, from the vocabulary


def test_escrow_statuses_are_still_filtered(searchable: Any) -> None:
    EscrowTransaction.objects.filter(payment__transaction_id="CP000000000002").update(
        status=EscrowStatus.DISPUTED
    )
    page = searchable.get(changelist(EscrowTransaction), {"status__exact": "disputed"})
    assert {str(o) for o in page.context["cl"].result_list} == {"escrow CP000000000002"}
