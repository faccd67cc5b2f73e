"""Bad input is answered 4xx, never 500, and a webhook POST is always stored first, whatever it holds.

PostgreSQL refuses a NUL character in a query, a text column or JSON, and an invalid IP address; SQLite
takes them all. Run these on the PostgreSQL leg too (``CINETPAY_TEST_POSTGRES=1``), where the old code
answered 500 and lost the notification. The property tests are in ``test_bad_input_properties.py``.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from django_cinetpay.ids import is_our_id, is_payment_token
from django_cinetpay.models import CinetPayNotification, generate_client_transaction_id
from django_cinetpay.models import generate_transaction_id as new_transaction_id

from .conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db

PAGES = ["pay", "success", "failed", "pending", "status", "confirm", "dispute"]
WEBHOOKS = ["cinetpay:notify", "cinetpay:transfer-notify"]
FORM = "application/x-www-form-urlencoded"


def test_the_ids_we_hand_out_have_the_shape_we_check():
    assert is_our_id(new_transaction_id())
    assert is_our_id(generate_client_transaction_id())
    for value in ["", "a\x00", "CP-1", "x" * 26, "CP1\n", "é"]:
        assert not is_our_id(value), value
    assert is_payment_token("tok-123")
    assert not is_payment_token("tok\x00")
    assert not is_payment_token("t" * 256)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("bad", ["a%00", "%00", "CP1%00", "a%ED%A0%80", "x" * 300, "a%20b", "a.b"])
def test_a_payment_page_for_an_id_that_cannot_be_ours_is_a_404(client, buyer, page, bad):
    client.force_login(buyer)
    for method in (client.get, client.post):
        assert method(f"/payments/{bad}/{page}/").status_code == 404


@pytest.mark.parametrize("who", [None, "buyer"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "query",
    [
        "transaction_id=a%00",
        "token=a%00",
        "cpm_trans_id=a%00&payment_token=%00",
        "transaction_id=%ED%A0%80&token=" + "t" * 5000,
        "transaction_id=a&transaction_id=b%00",
    ],
)
def test_the_return_url_answers_bad_ids_without_an_error(client, request, who, method, query):
    if who:
        client.force_login(request.getfixturevalue(who))
    path = reverse("cinetpay:return")
    if method == "get":
        response = client.get(f"{path}?{query}")
    else:
        response = client.post(path, query, content_type=FORM)
    assert response.status_code in (200, 303)


# --- webhooks: always stored ------------------------------------------------------------------------


def post_raw(url_name: str, body: bytes, content_type: str, **extra: str):  # type: ignore[no-untyped-def]
    """POST ``body`` as given (``Client.post()`` would re-encode it to the content type's charset)."""
    return Client().generic("POST", reverse(url_name), body, content_type, **extra)


@pytest.mark.parametrize("url_name", WEBHOOKS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param(FORM, b"cpm_trans_id=a%00&client_transaction_id=a%00", id="nul"),
        pytest.param(FORM, b"cpm_trans_id=%FF%FE&client_transaction_id=%ED%A0%80", id="invalid-utf8"),
        pytest.param(FORM, b"\xff\xfe\x00=\x00", id="raw-bytes"),
        pytest.param(FORM, b"cpm_trans_id=1&cpm_trans_id=2&cpm_trans_id=%00", id="repeated-keys"),
        pytest.param(FORM, b"cpm_trans_id=" + b"A" * 100_000, id="huge-value"),
        pytest.param(FORM + "; charset=latin-1", b"cpm_trans_id=1", id="form-not-utf8"),
        pytest.param("application/json", b'{"cpm_trans_id": "a\\u0000"}', id="json"),
        pytest.param("multipart/form-data", b"cpm_trans_id=1", id="multipart-without-boundary"),
        pytest.param("multipart/form-data; boundary=B", b"--B\r\nbroken\r\n", id="multipart-broken"),
        pytest.param(
            "multipart/form-data; boundary=B",
            b'--B\r\nContent-Disposition: form-data; name="cpm_trans_id"\r\n\r\na\x00\r\n--B--\r\n',
            id="multipart-nul",
        ),
        pytest.param("", b"", id="empty"),
    ],
)
def test_a_webhook_stores_whatever_it_is_posted(url_name, content_type, body):
    response = post_raw(url_name, body, content_type)
    assert 200 <= response.status_code < 500
    stored = CinetPayNotification.objects.get()
    assert stored.method == "POST"
    assert "\x00" not in stored.body + stored.reference
    assert all("\x00" not in name + value for name, value in stored.form)


@pytest.mark.parametrize("url_name", WEBHOOKS)
def test_the_reproducer_is_stored_with_its_reference(url_name):
    """``curl -X POST --data 'cpm_trans_id=a%00' http://HOST/payments/notify/``: a 500 and nothing stored."""
    response = post_raw(url_name, b"cpm_trans_id=a%00&client_transaction_id=a%00", FORM)
    assert response.status_code in (400, 403, 404)
    stored = CinetPayNotification.objects.get()
    assert stored.reference == "a\\x00"
    assert stored.form[0] == ["cpm_trans_id", "a\\x00"]


@pytest.mark.parametrize("url_name", WEBHOOKS)
def test_a_body_django_refuses_to_parse_is_still_stored(url_name, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    too_big = b"cpm_trans_id=" + b"A" * 5000
    too_many = "&".join(f"f{i}=1" for i in range(20)).encode()
    assert post_raw(url_name, too_big, FORM).status_code < 500
    assert post_raw(url_name, too_many, FORM).status_code < 500
    big, many = CinetPayNotification.objects.order_by("pk")
    assert (big.body.encode(), big.form) == (too_big, [])
    assert (many.body.encode(), many.form) == (too_many, [])


@pytest.mark.parametrize("url_name", WEBHOOKS)
def test_headers_and_address_that_a_database_refuses_are_still_stored(url_name):
    headers = {"x-token": "a\x00b", "x-odd": "\ud800"}
    response = post_raw(url_name, b"cpm_trans_id=1", FORM, headers=headers, REMOTE_ADDR="unix:")
    assert response.status_code < 500
    stored = CinetPayNotification.objects.get()
    assert (stored.headers["X-Token"], stored.headers["X-Odd"]) == ("a\\x00b", "\\ud800")
    assert stored.remote_addr is None


def _queries_on(table: str, queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if f'"{table}"' in q["sql"]]


def test_a_signed_notification_for_an_id_that_cannot_be_ours_is_never_looked_up(client, payment):
    fields = notification_fields(payment, cpm_trans_id="x" * 5000)
    with CaptureQueriesContext(connection) as queries:
        response = post_notification(client, fields)
    assert (response.status_code, response.content) == (404, b"unknown transaction")
    assert not _queries_on("cinetpay_cinetpaytransaction", queries)


def test_a_transfer_notification_for_an_id_that_cannot_be_ours_is_never_looked_up(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("cinetpay:transfer-notify"), {"client_transaction_id": "TR-1' OR 1=1"})
    assert (response.status_code, response.content) == (404, b"unknown transfer")
    assert not _queries_on("cinetpay_payoutrequest", queries)
