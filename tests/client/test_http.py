"""The shared HTTP layer: transport failures become our exceptions, and nothing leaks a secret."""

from __future__ import annotations

import pytest
import requests
import responses

from django_cinetpay import exceptions
from django_cinetpay.client import http

URL = "https://api-checkout.cinetpay.test/v2/payment"


@pytest.fixture
def session() -> requests.Session:
    return http.new_session()


def test_json_answer_is_returned(rsps, session):
    rsps.post(URL, json={"code": "201", "data": {"payment_url": "u"}})
    assert http.send(session, "POST", URL, json_body={"a": 1}, timeout=5) == (
        200,
        {"code": "201", "data": {"payment_url": "u"}},
    )


def test_4xx_json_is_returned_for_the_caller_to_map(rsps, session):
    rsps.post(URL, json={"code": "609", "message": "AUTH_NOT_FOUND"}, status=400)
    assert http.send(session, "POST", URL, timeout=5) == (400, {"code": "609", "message": "AUTH_NOT_FOUND"})


def test_5xx_with_a_cinetpay_envelope_is_returned(rsps, session):
    rsps.post(URL, json={"code": "500", "message": "ERROR"}, status=500)
    assert http.send(session, "POST", URL, timeout=5)[0] == 500


@pytest.mark.parametrize(
    "error", [requests.ReadTimeout("read timed out"), requests.ConnectTimeout("connect timed out")]
)
def test_timeout(rsps, session, error):
    rsps.post(URL, body=error)
    with pytest.raises(exceptions.CinetPayTimeoutError) as info:
        http.send(session, "POST", URL, timeout=7, json_body={"apikey": "k"})
    assert isinstance(info.value, exceptions.CinetPayNetworkError)
    assert "7" in str(info.value)
    assert "unknown" in str(info.value)


def test_connection_error(rsps, session):
    rsps.get(URL, body=requests.ConnectionError("Name or service not known"))
    with pytest.raises(exceptions.CinetPayConnectionError) as info:
        http.send(session, "GET", URL, timeout=5)
    assert "ConnectionError" in str(info.value)


def test_error_messages_leave_the_query_string_out(rsps, session):
    rsps.get(URL, body=requests.ConnectionError("boom"))
    with pytest.raises(exceptions.CinetPayConnectionError) as info:
        http.send(session, "GET", URL + "?token=tok-SECRET", params={"token": "tok-SECRET2"}, timeout=5)
    assert "tok-SECRET" not in str(info.value)
    assert URL in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_html_is_a_server_error(rsps, session, status):
    rsps.post(URL, body="<html><body>Bad Gateway</body></html>", status=status, content_type="text/html")
    with pytest.raises(exceptions.CinetPayServerError) as info:
        http.send(session, "POST", URL, timeout=5)
    assert info.value.http_status == status
    assert str(status) in str(info.value)


def test_5xx_json_without_a_code_is_a_server_error(rsps, session):
    rsps.post(URL, json={"error": "upstream"}, status=502)
    with pytest.raises(exceptions.CinetPayServerError):
        http.send(session, "POST", URL, timeout=5)


def test_200_html_is_an_invalid_response(rsps, session):
    rsps.post(URL, body="<!doctype html><title>Maintenance</title>", content_type="text/html; charset=utf-8")
    with pytest.raises(exceptions.CinetPayInvalidResponseError) as info:
        http.send(session, "POST", URL, timeout=5)
    assert info.value.http_status == 200
    assert "HTML" in str(info.value)


@pytest.mark.parametrize("body", ['{"code": "201", "data": ', "", "not json at all", '"just a string"', "42"])
def test_malformed_or_non_object_json_is_an_invalid_response(rsps, session, body):
    rsps.post(URL, body=body, content_type="application/json")
    with pytest.raises(exceptions.CinetPayInvalidResponseError) as info:
        http.send(session, "POST", URL, timeout=5)
    assert "malformed JSON" in str(info.value)


def test_invalid_response_is_a_network_error_so_the_outcome_counts_as_unknown():
    assert issubclass(exceptions.CinetPayInvalidResponseError, exceptions.CinetPayNetworkError)


def test_user_agent_on_every_request(rsps, session):
    rsps.post(URL, json={"code": "00"})
    rsps.get(URL, json={"code": "00"})
    http.send(session, "POST", URL, json_body={"a": 1}, timeout=5)
    http.send(session, "POST", URL, form={"a": "1"}, timeout=5)
    http.send(session, "GET", URL, params={"q": "1"}, timeout=5)
    assert len(rsps.calls) == 3
    for call in rsps.calls:
        assert call.request.headers["User-Agent"] == http.USER_AGENT
        assert call.request.headers["User-Agent"].startswith("django-cinetpay/")


def test_json_and_form_bodies(rsps, session):
    rsps.post(URL, json={"code": "00"})
    http.send(session, "POST", URL, json_body={"amount": 100}, timeout=5)
    http.send(session, "POST", URL, form={"apikey": "k", "password": "p"}, timeout=5)
    json_request, form_request = (c.request for c in rsps.calls)
    assert json_request.headers["Content-Type"] == "application/json"
    assert json_request.body == b'{"amount": 100}'
    assert form_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_request.body == "apikey=k&password=p"


def test_timeout_is_passed_to_requests(rsps, session, monkeypatch):
    seen = {}
    original = session.request

    def spy(*args, **kwargs):
        seen["timeout"] = kwargs["timeout"]
        return original(*args, **kwargs)

    monkeypatch.setattr(session, "request", spy)
    rsps.get(URL, json={})
    http.send(session, "GET", URL, timeout=12.5)
    assert seen["timeout"] == 12.5


# --- with_retries ----------------------------------------------------------------------------------


class Flaky:
    """Raises the given exceptions in turn, then returns ``"ok"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_with_retries_retries_network_errors_then_succeeds():
    sleeps: list[float] = []
    call = Flaky(exceptions.CinetPayTimeoutError("t"), exceptions.CinetPayServerError("s", http_status=502))
    assert http.with_retries(call, attempts=3, backoff=1.0, sleep=sleeps.append) == "ok"
    assert call.calls == 3
    assert len(sleeps) == 2
    # Full jitter under an exponential cap: attempt n waits at most backoff * 2**(n-1).
    assert 0 <= sleeps[0] <= 1.0
    assert 0 <= sleeps[1] <= 2.0


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_with_retries_gives_up_after_n_attempts(attempts):
    sleeps: list[float] = []
    errors = [exceptions.CinetPayConnectionError(f"down {i}") for i in range(attempts + 5)]
    call = Flaky(*errors)
    with pytest.raises(exceptions.CinetPayConnectionError) as info:
        http.with_retries(call, attempts=attempts, backoff=0.1, sleep=sleeps.append)
    assert call.calls == attempts
    assert len(sleeps) == attempts - 1
    assert str(info.value) == f"down {attempts - 1}"


@pytest.mark.parametrize(
    "error",
    [
        exceptions.CinetPayAuthError("609", "AUTH_NOT_FOUND"),
        exceptions.CinetPayTransferError("724"),
        ValueError("a bug"),
    ],
)
def test_with_retries_does_not_retry_other_errors(error):
    sleeps: list[float] = []
    call = Flaky(error)
    with pytest.raises(type(error)):
        http.with_retries(call, attempts=5, backoff=0.1, sleep=sleeps.append)
    assert call.calls == 1
    assert sleeps == []


def test_with_retries_with_real_http(rsps, session):
    rsps.post(URL, status=503, body="down")
    rsps.post(URL, json={"code": "00"})
    sleeps: list[float] = []
    result = http.with_retries(
        lambda: http.send(session, "POST", URL, timeout=5), attempts=3, backoff=0, sleep=sleeps.append
    )
    assert result == (200, {"code": "00"})
    assert len(rsps.calls) == 2


# --- redact ----------------------------------------------------------------------------------------


def test_redact_masks_secrets_and_phones():
    data = {
        "apikey": "apikey-SECRET",
        "password": "pw-SECRET",
        "token": "tok-SECRET",
        "secret": "s-SECRET",
        "customer_phone_number": "0707070707",
        "phone": "0102030405",
        "cel_phone_num": "0505050505",
        "transaction_id": "CP1",
        "amount": 100,
    }
    safe = http.redact(data)
    assert safe == {
        "apikey": "***",
        "password": "***",
        "token": "***",
        "secret": "***",
        "customer_phone_number": "********07",
        "phone": "********05",
        "cel_phone_num": "********05",
        "transaction_id": "CP1",
        "amount": 100,
    }
    assert "SECRET" not in repr(safe)
    assert data["apikey"] == "apikey-SECRET"  # the input is left alone


def test_redact_keeps_empty_phones_and_masks_short_ones():
    assert http.redact({"phone": "", "customer_phone_number": None, "other_phone": "123"}) == {
        "phone": "",
        "customer_phone_number": None,
        "other_phone": "***",
    }


def test_redact_masks_secrets_even_when_empty():
    assert http.redact({"apikey": ""}) == {"apikey": "***"}


def test_responses_is_active(rsps, session):
    # Guard: an unregistered URL must fail, proving these tests never reach the network.
    with pytest.raises(exceptions.CinetPayConnectionError):
        http.send(session, "GET", "https://unregistered.cinetpay.test/", timeout=1)
    assert isinstance(rsps, responses.RequestsMock)
