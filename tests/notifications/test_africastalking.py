"""The Africa's Talking backend against its HTTP API (as its official SDK calls it), on ``responses``."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
import requests
import responses

from django_cinetpay.exceptions import CinetPayConfigurationError
from django_cinetpay.sms import SmsError, get_connection, send_sms

LIVE = "https://api.africastalking.com/version1/messaging"
SANDBOX = "https://api.sandbox.africastalking.com/version1/messaging"
BACKEND = "django_cinetpay.sms.backends.africastalking.SmsBackend"


@pytest.fixture(autouse=True)
def _credentials(settings):
    settings.CINETPAY_SMS_BACKEND = BACKEND
    settings.CINETPAY_AFRICASTALKING_USERNAME = "gameshop"
    settings.CINETPAY_AFRICASTALKING_API_KEY = "atsk_test_key"
    settings.CINETPAY_SMS_SENDER = ""


def answer(status_code: int, status: str) -> dict:
    return {
        "SMSMessageData": {
            "Message": "Sent to 1/1 Total Cost: XOF 25.0000",
            "Recipients": [
                {
                    "statusCode": status_code,
                    "number": "+2250707070707",
                    "status": status,
                    "cost": "XOF 25.0000",
                    "messageId": "ATXid_1",
                }
            ],
        }
    }


@responses.activate
def test_a_message_is_posted_with_the_account_the_number_and_the_text():
    responses.post(LIVE, json=answer(101, "Success"))
    assert send_sms("+2250707070707", "15 000 XOF paid") == 1
    request = responses.calls[0].request
    assert request.headers["apiKey"] == "atsk_test_key"
    assert request.headers["Accept"] == "application/json"
    assert parse_qs(request.body) == {
        "username": ["gameshop"],
        "to": ["+2250707070707"],
        "message": ["15 000 XOF paid"],
        "bulkSMSMode": ["1"],
    }


@responses.activate
def test_the_sender_id_and_the_sandbox(settings):
    settings.CINETPAY_AFRICASTALKING_USERNAME = "sandbox"
    settings.CINETPAY_SMS_SENDER = "GAMESHOP"
    responses.post(SANDBOX, json=answer(100, "Processed"))
    assert send_sms("+2250707070707", "hello") == 1
    assert parse_qs(responses.calls[0].request.body)["from"] == ["GAMESHOP"]


@responses.activate
def test_an_answer_served_as_text_is_read_too():
    responses.post(
        LIVE,
        body='{"SMSMessageData": {"Recipients": [{"statusCode": 102, "status": "Queued"}]}}',
        content_type="text/plain",
    )
    assert send_sms("+2250707070707", "hello") == 1


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        (403, "InvalidPhoneNumber", True),
        (406, "UserInBlacklist", True),
        (405, "InsufficientBalance", False),
        (500, "InternalServerError", False),
    ],
)
@responses.activate
def test_a_refused_recipient_raises_with_its_code(code, status, permanent):
    responses.post(LIVE, json=answer(code, status))
    with pytest.raises(SmsError) as caught:
        send_sms("+2250707070707", "hello")
    assert (caught.value.code, caught.value.permanent) == (str(code), permanent)
    assert f"{code} {status}" in str(caught.value)


@responses.activate
def test_an_http_error_and_an_empty_answer_raise():
    responses.post(LIVE, status=401, body="The supplied authentication is invalid")
    with pytest.raises(SmsError, match="authentication is invalid") as caught:
        send_sms("+2250707070707", "hello")
    assert not caught.value.permanent
    assert "atsk_test_key" not in str(caught.value)
    responses.replace(
        responses.POST, LIVE, json={"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}
    )
    with pytest.raises(SmsError, match="no recipient: InvalidSenderId"):
        send_sms("+2250707070707", "hello")


@responses.activate
def test_a_network_failure_goes_through_to_be_retried():
    responses.post(LIVE, body=requests.ConnectionError("unreachable"))
    with pytest.raises(requests.ConnectionError):
        send_sms("+2250707070707", "hello")


def test_a_number_not_in_e164_is_refused_for_good_before_any_request():
    with responses.RequestsMock() as mock, pytest.raises(SmsError) as caught:
        send_sms("0707070707", "hello")
    assert caught.value.permanent
    assert len(mock.calls) == 0


@responses.activate
def test_fail_silently_counts_what_was_sent():
    responses.post(LIVE, json=answer(403, "InvalidPhoneNumber"))
    assert get_connection(fail_silently=True).send_messages([]) == 0
    from django_cinetpay.sms import SmsMessage

    assert get_connection(fail_silently=True).send_messages([SmsMessage("+2250707070707", "x")]) == 0


def test_missing_credentials_are_a_configuration_error(settings):
    settings.CINETPAY_AFRICASTALKING_API_KEY = ""
    with pytest.raises(CinetPayConfigurationError, match="CINETPAY_AFRICASTALKING_API_KEY"):
        get_connection()
    assert get_connection(username="u", api_key="k").api_key == "k"
