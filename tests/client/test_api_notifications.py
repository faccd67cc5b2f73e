"""Reading a CinetPay API notification and verifying its notify_token: constant time, failing closed."""

from __future__ import annotations

import hmac
import json

import pytest

from django_cinetpay.client import read_notification, verify_notify_token

PAYLOAD = {
    "notify_token": "NTOKEN-secret",
    "merchant_transaction_id": "TX123",
    "transaction_id": "CP-TX-1",
    "user": {"name": "Awa", "email": "a@example.com", "phone_number": "+2250707070700"},
    "status": "SUCCESS",
}


@pytest.mark.parametrize("raw", [PAYLOAD, json.dumps(PAYLOAD), json.dumps(PAYLOAD).encode()])
def test_a_notification_is_read_from_a_dict_text_or_bytes(raw):
    notification = read_notification(raw)
    assert notification.merchant_transaction_id == "TX123"
    assert notification.notify_token == "NTOKEN-secret"
    assert notification.transaction_id == "CP-TX-1"
    assert notification.phone_number == "+2250707070700"
    assert "NTOKEN" not in repr(notification)
    assert "0707" not in repr(notification)


@pytest.mark.parametrize("raw", [b"not json", "[1, 2]", "null", 42])
def test_what_is_not_a_json_object_reads_as_none(raw):
    assert read_notification(raw) is None


def test_missing_or_odd_fields_read_as_empty():
    notification = read_notification({"notify_token": {"x": 1}, "merchant_transaction_id": True, "user": "x"})
    assert (notification.notify_token, notification.merchant_transaction_id, notification.phone_number) == (
        "",
        "",
        "",
    )
    assert read_notification({"merchant_transaction_id": 123}).merchant_transaction_id == "123"


def test_the_right_token_verifies_and_a_wrong_one_does_not():
    assert verify_notify_token("NTOKEN-secret", "NTOKEN-secret")
    assert not verify_notify_token("NTOKEN-secret", "NTOKEN-secreT")
    assert not verify_notify_token("NTOKEN-secret", "NTOKEN")


@pytest.mark.parametrize(
    ("expected", "received"), [("", ""), ("", "x"), ("x", ""), (None, None), ("x", None)]
)
def test_empty_values_fail_closed(expected, received):
    assert verify_notify_token(expected, received) is False


def test_the_compare_is_constant_time(monkeypatch):
    seen = []
    original = hmac.compare_digest

    def compare(a, b):
        seen.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare)
    assert verify_notify_token("tok-é", "tok-é")
    assert seen == [("tok-é".encode(), "tok-é".encode())]
