"""The code tables: every code builds an exception carrying the code, a message and a hint."""

from __future__ import annotations

import pytest

from django_cinetpay import exceptions
from django_cinetpay.client.codes import CHECKOUT_CODES, TRANSFER_CODES, checkout_error, transfer_error


@pytest.mark.parametrize("code", sorted(CHECKOUT_CODES))
def test_every_checkout_code_builds_an_explained_error(code):
    info = CHECKOUT_CODES[code]
    exc = checkout_error(code)
    assert isinstance(exc, exceptions.CinetPayAPIError)
    assert type(exc) is info.error
    assert exc.code == code
    assert exc.message == info.name
    assert info.hint
    assert exc.hint == info.hint
    assert f"CinetPay error {code}" in str(exc)
    assert info.hint in str(exc)


@pytest.mark.parametrize("code", sorted(TRANSFER_CODES))
def test_every_transfer_code_builds_an_explained_error(code):
    info = TRANSFER_CODES[code]
    exc = transfer_error(code)
    assert type(exc) is info.error
    assert exc.code == code
    assert exc.message == info.name
    assert info.hint
    assert f"CinetPay error {code}" in str(exc)
    assert info.hint in str(exc)


@pytest.mark.parametrize("code", sorted(c for c in TRANSFER_CODES if c != "0"))
def test_transfer_error_codes_are_transfer_or_auth_errors(code):
    exc = transfer_error(code)
    assert isinstance(exc, exceptions.CinetPayTransferError | exceptions.CinetPayAuthError)


@pytest.mark.parametrize("code", ["705", "706"])
def test_token_codes_mean_log_in_again(code):
    assert isinstance(transfer_error(code), exceptions.CinetPayTokenExpiredError)


def test_transfer_codes_may_be_numbers():
    exc = transfer_error(724, "ERROR_PHONE_NOT_MY_CONTACT")
    assert exc.code == "724"
    assert "contact" in exc.hint


def test_cinetpay_message_wins_over_the_table_name():
    exc = checkout_error("608", "MINIMUM_REQUIRED_FIELDS", "customer_name is required", http_status=400)
    assert exc.message == "MINIMUM_REQUIRED_FIELDS"
    assert exc.description == "customer_name is required"
    assert exc.http_status == 400
    assert "customer_name is required" in str(exc)


def test_unknown_codes_still_carry_a_hint():
    checkout = checkout_error("999", "SOMETHING_NEW")
    transfer = transfer_error("999", "SOMETHING_NEW")
    assert type(checkout) is exceptions.CinetPayAPIError
    assert type(transfer) is exceptions.CinetPayTransferError
    for exc in (checkout, transfer):
        assert exc.code == "999"
        assert exc.hint
        assert "999" in str(exc)
        assert exc.hint in str(exc)


def test_errors_are_caught_by_the_one_base_class():
    for code in [*CHECKOUT_CODES, "999"]:
        assert isinstance(checkout_error(code), exceptions.CinetPayError)
    for code in [*TRANSFER_CODES, "999"]:
        assert isinstance(transfer_error(code), exceptions.CinetPayError)
