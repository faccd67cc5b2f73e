"""The CinetPay API's login: one per country, shared through the cache, renewed once on a refused token."""

from __future__ import annotations

import logging

import pytest
import requests

from django_cinetpay import exceptions
from django_cinetpay.client.api import auth
from django_cinetpay.client.memory import MemoryCache

from .api_helpers import BASE, CI, LOGIN, SECRETS, SN, Clock, body, calls_to, connection, login_ok

BALANCES = f"{BASE}/v1/balances"
BALANCE = {"code": 200, "status": "OK", "available_balance": "1500.00", "currency": "XOF"}


def test_the_login_posts_the_countrys_pair_and_requests_carry_the_bearer_token(rsps):
    login = login_ok(rsps, token="JWT-CI")
    balances = rsps.get(BALANCES, json=BALANCE)
    status, answer = connection(CI).call("CI", "GET", "/v1/balances")
    assert (status, answer) == (200, BALANCE)
    [call] = login.calls
    assert call.request.method == "POST"
    assert body(call) == {"api_key": CI.api_key, "api_password": CI.api_password}
    assert call.request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in call.request.headers
    assert balances.calls[0].request.headers["Authorization"] == "Bearer JWT-CI"
    assert balances.calls[0].request.headers["User-Agent"].startswith("django-cinetpay/")


def test_each_country_logs_in_with_its_own_pair(rsps):
    login = rsps.post(LOGIN, json={"code": 200, "access_token": "JWT"})
    rsps.get(BALANCES, json=BALANCE)
    both = connection(CI, SN)
    both.call("CI", "GET", "/v1/balances")
    both.call("SN", "GET", "/v1/balances")
    both.call("SN", "GET", "/v1/balances")
    assert [body(c)["api_key"] for c in login.calls] == [CI.api_key, SN.api_key]


def test_the_token_is_shared_by_a_second_client_through_the_cache(rsps):
    login = login_ok(rsps)
    rsps.get(BALANCES, json=BALANCE)
    cache = MemoryCache()
    connection(CI, cache=cache).call("CI", "GET", "/v1/balances")
    other = connection(CI, cache=cache)  # another process, another client: the same cache
    other.call("CI", "GET", "/v1/balances")
    assert len(login.calls) == 1


def test_the_token_lives_under_the_apis_day_and_is_renewed_after(rsps):
    login = login_ok(rsps)
    rsps.get(BALANCES, json=BALANCE)
    clock = Clock()
    client = connection(CI, clock=clock)
    client.call("CI", "GET", "/v1/balances")
    clock.now += auth.TOKEN_LIFETIME - 1
    client.call("CI", "GET", "/v1/balances")
    assert len(login.calls) == 1
    clock.now += 2
    client.call("CI", "GET", "/v1/balances")
    assert len(login.calls) == 2
    assert auth.TOKEN_LIFETIME < 86_400


def test_a_shorter_lifetime_cinetpay_announces_is_honoured(rsps):
    login = login_ok(rsps, expires_in=600)
    rsps.get(BALANCES, json=BALANCE)
    clock = Clock()
    client = connection(CI, clock=clock)
    client.call("CI", "GET", "/v1/balances")
    clock.now += 600
    client.call("CI", "GET", "/v1/balances")
    assert len(login.calls) == 2


@pytest.mark.parametrize(
    "refusal",
    [
        (401, {"code": 1003, "status": "EXPIRED_TOKEN", "description": "Token expired"}),
        (401, {"code": 1002, "status": "INVALID_TOKEN"}),
        (200, {"status": "EXPIRED_TOKEN"}),
        (401, {"message": "Unauthorized"}),
    ],
)
def test_a_refused_token_is_forgotten_and_the_request_replayed_once(rsps, refusal):
    status, answer = refusal
    rsps.post(LOGIN, json={"code": 200, "access_token": "OLD"})
    login_ok(rsps, token="NEW")
    rsps.get(BALANCES, json=answer, status=status)
    rsps.get(BALANCES, json=BALANCE)
    cache = MemoryCache()
    assert connection(CI, cache=cache).call("CI", "GET", "/v1/balances") == (200, BALANCE)
    assert len(calls_to(rsps, LOGIN)) == 2
    sent = [c.request.headers["Authorization"] for c in calls_to(rsps, BALANCES)]
    assert sent == ["Bearer OLD", "Bearer NEW"]
    # another process finds the fresh token, not the refused one
    connection(CI, cache=cache).call("CI", "GET", "/v1/balances")
    assert len(calls_to(rsps, LOGIN)) == 2


def test_a_bare_401_page_counts_as_a_refused_token(rsps):
    login_ok(rsps)
    rsps.get(BALANCES, body="<html>401</html>", status=401, content_type="text/html")
    rsps.get(BALANCES, json=BALANCE)
    assert connection(CI).call("CI", "GET", "/v1/balances") == (200, BALANCE)
    assert len(calls_to(rsps, LOGIN)) == 2


def test_a_token_refused_twice_is_not_replayed_a_third_time(rsps):
    login = login_ok(rsps)
    refused = rsps.get(BALANCES, json={"code": 1003, "status": "EXPIRED_TOKEN"}, status=401)
    status, answer = connection(CI).call("CI", "GET", "/v1/balances")
    assert (status, answer["code"]) == (401, 1003)
    assert len(login.calls) == 2
    assert len(refused.calls) == 2
    with pytest.raises(exceptions.CinetPayTokenExpiredError) as caught:
        auth.raise_error(status, answer)
    assert caught.value.hint


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (401, {"code": 1005, "status": "INVALID_CREDENTIALS", "description": "Bad credentials"}),
        (401, {"message": "Unauthorized"}),
    ],
)
def test_refused_credentials_raise_an_auth_error_with_a_hint_and_no_secret(rsps, caplog, status, answer):
    rsps.post(LOGIN, json=answer, status=status)
    caplog.set_level(logging.DEBUG, logger="django_cinetpay.client")
    with pytest.raises(exceptions.CinetPayAuthError) as caught:
        connection(CI).login("CI")
    assert caught.value.code == "1005"
    assert "CINETPAY_API_CREDENTIALS" in caught.value.hint
    assert not any(secret in str(caught.value) + caplog.text for secret in SECRETS)


def test_a_login_answer_without_a_token_is_invalid(rsps):
    rsps.post(LOGIN, json={"code": 200, "status": "OK"})
    with pytest.raises(exceptions.CinetPayInvalidResponseError, match="access_token"):
        connection(CI).login("CI")


def test_a_network_error_at_login_carries_no_secret(rsps):
    rsps.post(LOGIN, body=requests.ConnectionError(f"refused {CI.api_password}"))
    with pytest.raises(exceptions.CinetPayConnectionError) as caught:
        connection(CI).login("CI")
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert CI.api_password not in str(caught.value)


def test_check_login_logs_in_even_with_a_token_remembered(rsps):
    login = login_ok(rsps)
    client = connection(CI)
    client.login("CI")
    client.check_login("CI")
    assert len(login.calls) == 2


def test_a_country_without_credentials_is_a_configuration_error():
    with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_API_KEY_SN"):
        connection(CI).login("SN")


def test_no_country_at_all_is_a_configuration_error():
    with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_API_CREDENTIALS"):
        auth.Connection(credentials=(), base_url=BASE)


def test_reprs_hold_no_secret():
    assert not any(secret in repr(connection(CI, SN)) + repr(CI) for secret in SECRETS)
