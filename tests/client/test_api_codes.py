"""Every documented CinetPay API code maps to one of the package's exceptions, with a hint."""

from __future__ import annotations

import pytest

from django_cinetpay import exceptions
from django_cinetpay.client.api import codes

#: The codes CinetPay's SDK documents, and the exception each raises.
DOCUMENTED = {
    "200": exceptions.CinetPayAPIError,
    "100": exceptions.CinetPayAPIError,
    "-1": exceptions.CinetPayAPIError,
    "404": exceptions.CinetPayAPIError,
    "1002": exceptions.CinetPayTokenExpiredError,
    "1003": exceptions.CinetPayTokenExpiredError,
    "1004": exceptions.CinetPayValidationError,
    "1005": exceptions.CinetPayAuthError,
    "1200": exceptions.CinetPayValidationError,
    "2001": exceptions.CinetPayAPIError,
    "2002": exceptions.CinetPayAPIError,
    "2003": exceptions.CinetPayAPIError,
    "2004": exceptions.CinetPayAPIError,
    "2005": exceptions.CinetPayAPIError,
    "2006": exceptions.CinetPayAPIError,
    "2007": exceptions.CinetPayAPIError,
    "2008": exceptions.CinetPayAPIError,
    "2010": exceptions.CinetPayAPIError,
    "2011": exceptions.CinetPayAuthError,
}


@pytest.mark.parametrize(("code", "error"), DOCUMENTED.items())
def test_each_documented_code_has_its_exception_and_a_hint(code, error):
    raised = codes.api_error(code, description="desc", http_status=400)
    assert type(raised) is error
    assert raised.code == code
    assert raised.message == codes.API_CODES[code].name
    assert raised.hint
    assert raised.hint in str(raised)
    assert raised.http_status == 400


def test_every_code_in_the_table_is_documented_or_an_http_refusal():
    assert set(codes.API_CODES) == set(DOCUMENTED) | {"403", "422", "429"}


@pytest.mark.parametrize(("status", "code"), [("EXPIRED_TOKEN", "1003"), ("TRANSACTION_EXIST", "1200")])
def test_a_status_word_alone_gives_its_code(status, code):
    assert codes.api_error("", status).code == code


def test_http_refusals_without_a_code():
    assert type(codes.api_error("", http_status=429)) is exceptions.CinetPayThrottledError
    assert type(codes.api_error("", http_status=403)) is exceptions.CinetPayAuthError


def test_an_unknown_code_still_says_what_to_do():
    raised = codes.api_error("7777", "NEW_THING", "desc")
    assert type(raised) is exceptions.CinetPayAPIError
    assert (raised.code, raised.message) == ("7777", "NEW_THING")
    assert "support" in raised.hint


@pytest.mark.parametrize("code", ["1200", "1004", "2010", "-1", "7777"])
def test_on_a_transfer_errors_are_transfer_errors_but_credentials_stay_auth(code):
    assert isinstance(codes.api_error(code, transfer=True), exceptions.CinetPayTransferError)
    assert type(codes.api_error("1005", transfer=True)) is exceptions.CinetPayAuthError


def test_local_refusals_say_nothing_reached_cinetpay():
    refused = codes.refused_locally("amount", transfer=True)
    assert type(refused) is exceptions.CinetPayTransferError
    assert (refused.code, refused.http_status) == ("1004", None)
    assert "not sent" in refused.hint
    assert type(codes.refused_locally("amount")) is exceptions.CinetPayValidationError


def test_the_refusals_that_fail_a_payout_are_documented_api_codes():
    from django_cinetpay.client import codes as all_codes

    assert set(DOCUMENTED) >= all_codes.API_REFUSED_BEFORE_ACTING
    assert not all_codes.API_REFUSED_BEFORE_ACTING & all_codes.REFUSED_BEFORE_ACTING
    assert {"805", "1200"} == all_codes.TRANSACTION_EXISTS_CODES
