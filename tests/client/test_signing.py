"""The x-token of payment notifications (CINETPAY_API.md §3).

Expected tokens are computed here independently, with :mod:`hmac` over concatenations written out by hand,
so that a change in the field order or in how missing values are joined makes these tests fail.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_cinetpay.client.signing import SIGNED_FIELDS, compute_x_token, verify_x_token

SECRET = "merchant-secret-key-123"

#: A notification as CinetPay posts it, in the documented order.
NOTIFICATION = {
    "cpm_site_id": "445566",
    "cpm_trans_id": "CP20240101120000ABCDEF",
    "cpm_trans_date": "2024-01-01 12:00:00",
    "cpm_amount": "1000",
    "cpm_currency": "XOF",
    "signature": "sig-from-cinetpay",
    "payment_method": "OM",
    "cel_phone_num": "0707070707",
    "cpm_phone_prefixe": "225",
    "cpm_language": "fr",
    "cpm_version": "V4",
    "cpm_payment_config": "SINGLE",
    "cpm_page_action": "PAYMENT",
    "cpm_custom": "order-42",
    "cpm_designation": "Achat de test",
    "cpm_error_message": "SUCCES",
}

#: The same values joined by hand, in the documented order, without separators.
NOTIFICATION_MESSAGE = (
    "445566"
    "CP20240101120000ABCDEF"
    "2024-01-01 12:00:00"
    "1000"
    "XOF"
    "sig-from-cinetpay"
    "OM"
    "0707070707"
    "225"
    "fr"
    "V4"
    "SINGLE"
    "PAYMENT"
    "order-42"
    "Achat de test"
    "SUCCES"
)


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_documented_order_is_the_sixteen_fields():
    assert tuple(NOTIFICATION) == SIGNED_FIELDS


def test_fixed_vector():
    expected = _hmac(SECRET, NOTIFICATION_MESSAGE)
    assert compute_x_token(SECRET, NOTIFICATION) == expected
    assert verify_x_token(SECRET, expected, NOTIFICATION)


def test_fixed_vector_literal_hex():
    # Pinned once, so that a change in the HMAC construction itself (key/message swapped, other hash) fails.
    token = compute_x_token("k", {"cpm_site_id": "1", "cpm_trans_id": "T1", "cpm_amount": "100"})
    assert token == hmac.new(b"k", b"1T1100", hashlib.sha256).hexdigest()
    assert token == _hmac("k", "1" + "T1" + "100")


def test_missing_field_counts_as_empty_string():
    fields = {k: v for k, v in NOTIFICATION.items() if k not in ("cpm_custom", "cpm_error_message")}
    message = (
        "445566CP20240101120000ABCDEF2024-01-01 12:00:001000XOFsig-from-cinetpayOM0707070707225frV4"
        "SINGLEPAYMENT"
        "Achat de test"
    )
    assert compute_x_token(SECRET, fields) == _hmac(SECRET, message)


def test_none_counts_as_empty_string_not_the_word_none():
    with_none = {**NOTIFICATION, "cpm_custom": None}
    without = {k: v for k, v in NOTIFICATION.items() if k != "cpm_custom"}
    assert compute_x_token(SECRET, with_none) == compute_x_token(SECRET, without)
    # Community clients that write "None" (or "undefined") compute another token, which we refuse.
    wrong = _hmac(SECRET, NOTIFICATION_MESSAGE.replace("order-42", "None"))
    assert not verify_x_token(SECRET, wrong, with_none)


def test_extra_fields_are_not_signed_in_documented_order():
    fields = {**NOTIFICATION, "cpm_payid": "X1", "cpm_result": "00"}
    assert compute_x_token(SECRET, fields) == _hmac(SECRET, NOTIFICATION_MESSAGE)


def test_arrival_order_fallback_is_accepted():
    # CinetPay's PHP SDK joins every POST value in arrival order, here with an extra field in the middle.
    posted = {"cpm_trans_id": "T9", "cpm_site_id": "445566", "cpm_result": "00", "cpm_amount": "500"}
    token = _hmac(SECRET, "T9" + "445566" + "00" + "500")
    assert verify_x_token(SECRET, token, posted, arrival_values=list(posted.values()))
    # Without the arrival values only the documented order is tried, and it does not match.
    assert not verify_x_token(SECRET, token, posted)


def test_arrival_order_does_not_weaken_the_documented_order():
    token = _hmac(SECRET, NOTIFICATION_MESSAGE)
    assert verify_x_token(SECRET, token, NOTIFICATION, arrival_values=["something", "else"])


def test_wrong_token_is_rejected():
    token = _hmac(SECRET, NOTIFICATION_MESSAGE)
    wrong = ("0" if token[0] != "0" else "1") + token[1:]
    assert not verify_x_token(SECRET, wrong, NOTIFICATION)
    assert not verify_x_token(SECRET, _hmac("another-secret", NOTIFICATION_MESSAGE), NOTIFICATION)
    assert not verify_x_token(SECRET, token[:-2], NOTIFICATION)


@pytest.mark.parametrize("secret", ["", None])
def test_empty_secret_fails_closed(secret):
    # Even a token computed with the empty key is refused: a missing setting must not open the door.
    token = _hmac("", NOTIFICATION_MESSAGE)
    assert not verify_x_token(secret, token, NOTIFICATION)
    assert not verify_x_token(secret, token, NOTIFICATION, arrival_values=list(NOTIFICATION.values()))


@pytest.mark.parametrize("token", ["", None])
def test_empty_token_fails_closed(token):
    assert not verify_x_token(SECRET, token, NOTIFICATION)
    assert not verify_x_token(SECRET, token, {}, arrival_values=[])


def test_uppercase_hex_token_is_accepted():
    token = _hmac(SECRET, NOTIFICATION_MESSAGE).upper()
    assert verify_x_token(SECRET, token, NOTIFICATION)


def test_surrounding_whitespace_is_tolerated():
    token = _hmac(SECRET, NOTIFICATION_MESSAGE)
    assert verify_x_token(SECRET, f" {token}\n", NOTIFICATION)


@given(field=st.sampled_from(SIGNED_FIELDS), new_value=st.text(max_size=40))
def test_changing_any_signed_field_invalidates_the_token(field, new_value):
    if new_value == NOTIFICATION[field]:
        new_value += "x"
    token = compute_x_token(SECRET, NOTIFICATION)
    tampered = {**NOTIFICATION, field: new_value}
    assert not verify_x_token(SECRET, token, tampered)
    assert not verify_x_token(SECRET, token, tampered, arrival_values=list(tampered.values()))


@given(fields=st.fixed_dictionaries({name: st.text(max_size=12) for name in SIGNED_FIELDS}))
def test_token_round_trips_for_any_values(fields):
    token = compute_x_token(SECRET, fields)
    assert verify_x_token(SECRET, token, fields)
    assert token == _hmac(SECRET, "".join(fields[name] for name in SIGNED_FIELDS))
