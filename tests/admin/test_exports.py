"""CSV exports: cells a spreadsheet would run as formulas are neutralised, amounts stay integers beside
their currency, phone numbers are masked, and every list exports its selected or filtered rows, streamed."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import StreamingHttpResponse
from django.urls import reverse

from django_cinetpay.exports import Column, csv_lines, safe_cell
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import PaymentStatus
from tests.escrow.conftest import accept, make_payment

PAYMENTS = reverse("admin:cinetpay_cinetpaytransaction_changelist")
EXPORT = reverse("admin:cinetpay_cinetpaytransaction_export")


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("http://evil.example")', "+33 1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
)
def test_a_formula_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Compte niveau 70", "Compte niveau 70"),
        ("a=b", "a=b"),
        (15_000, 15_000),
        (True, 1),
        (False, 0),
        (None, ""),
        (datetime.date(2026, 12, 1), "2026-12-01"),
        (datetime.datetime(2026, 12, 1, 5, 45, tzinfo=datetime.timezone.utc), "2026-12-01T05:45:00+00:00"),
    ],
)
def test_other_cells_are_kept(value, cell):
    assert safe_cell(value) == cell


def test_lines_are_quoted_as_csv():
    columns = [Column("name", lambda row: row[0]), Column("amount", lambda row: row[1])]
    text = "".join(csv_lines(columns, [('Koné, "Awa"\nline two', 5), ("-1", -1)]))
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "amount"],
        ['Koné, "Awa"\nline two', "5"],
        ["'-1", "-1"],  # a number stays a number; text that reads as a formula does not
    ]


# --- the admin's exports ---------------------------------------------------------------------------------


def rows_of(response: Any) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cinetpaytransaction-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets then read the accents as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def payments(db: Any, buyer: Any, seller: Any) -> list[CinetPayTransaction]:
    """An accepted payment of 15 000 XOF paid with Orange Money from +225 0707070707 (its description
    a formula), and one not paid."""
    paid = accept(make_payment(buyer, seller, amount=15_000))
    CinetPayTransaction.objects.filter(pk=paid.pk).update(
        payment_method="OM", description='=HYPERLINK("http://evil.example")'
    )
    return [CinetPayTransaction.objects.get(pk=paid.pk), make_payment(buyer, seller, amount=2_500)]


def test_the_filtered_list_is_exported(client, admin_user, payments):
    paid = payments[0]
    client.force_login(admin_user)
    [row] = rows_of(client.get(EXPORT, {"status__exact": "accepted"}))
    assert row == {
        "transaction id": paid.transaction_id,
        "created": paid.created_at.isoformat(),
        "status": "Accepted",
        "amount": "15000",
        "currency": "XOF",
        "payment method": "Orange Money",
        "buyer": "awa",
        "seller": "koffi",
        "payer phone": "********07",
        "description": '\'=HYPERLINK("http://evil.example")',
        "operator id": "",
        "paid at": paid.paid_at.isoformat(),
        "needs review": "0",
    }


def test_the_list_links_to_its_export_with_its_filters(client, admin_user, payments):
    client.force_login(admin_user)
    page = client.get(PAYMENTS, {"status__exact": "accepted", "q": "awa"}).content.decode()
    assert f'href="{EXPORT}?q=awa&amp;status__exact=accepted"' in page
    assert len(rows_of(client.get(EXPORT, {"q": "awa"}))) == 2


def test_selected_rows_are_exported(client, admin_user, payments):
    client.force_login(admin_user)
    response = client.post(PAYMENTS, {"action": "export_csv", ACTION_CHECKBOX_NAME: [payments[1].pk]})
    assert [row["transaction id"] for row in rows_of(response)] == [payments[1].transaction_id]
    assert CinetPayTransaction.objects.get(pk=payments[1].pk).status == PaymentStatus.CREATED


def test_a_bad_filter_goes_back_to_the_list(client, admin_user, payments):
    client.force_login(admin_user)
    response = client.get(EXPORT, {"no_such_field": "1"})
    assert (response.status_code, response.url) == (302, f"{PAYMENTS}?e=1")


@pytest.mark.django_db
def test_staff_who_may_not_see_the_list_may_not_export_it(client, staff_user):
    client.force_login(staff_user)
    assert client.get(EXPORT).status_code == 403


def test_the_export_costs_the_same_queries_at_any_size(client, admin_user, payments, buyer, seller):
    client.force_login(admin_user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of(client.get(EXPORT))
        return len(captured)

    before = queries()
    for _ in range(5):
        make_payment(buyer, seller)
    assert queries() == before


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            EscrowTransaction,
            {"payment", "amount", "commission", "seller amount", "currency", "buyer", "seller"},
        ),
        (
            PayoutRequest,
            {"client transaction id", "amount", "currency", "phone", "phone prefix", "payment", "buyer"},
        ),
    ],
)
def test_every_list_exports(client, admin_user, payments, staff, model, expected):
    from django_cinetpay import services

    services.refund_escrow(payments[0].escrow, staff, "annulé")
    client.force_login(admin_user)
    response = client.get(reverse(f"admin:cinetpay_{model._meta.model_name}_export"))
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert expected <= set(row)
    assert row["amount"] == "15000"
    assert (row.get("phone prefix", "225"), row.get("phone", "********07")) == ("225", "********07")
    assert "0707070707" not in text
