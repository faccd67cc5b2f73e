"""Choosing the backend: settings, a payment's own backend, credentials from settings or environment."""

from __future__ import annotations

import pytest

from django_cinetpay import conf, exceptions
from django_cinetpay.client import (
    API,
    CHECKOUT_V2,
    ApiCheckoutClient,
    ApiTransferClient,
    CheckoutClient,
    TransferClient,
    get_checkout_client,
    get_transfer_client,
)
from django_cinetpay.client.api import base_url_for, parse_credentials
from django_cinetpay.client.api.credentials import PRODUCTION_URL, SANDBOX_URL, CountryCredentials

from .api_helpers import LOGIN, calls_to, login_ok

TEST_PAIR = {"api_key": "sk_test_ci", "api_password": "pw"}
LIVE_PAIR = {"api_key": "sk_live_sn", "api_password": "pw"}


@pytest.fixture
def api_settings(settings):
    settings.CINETPAY_API_CREDENTIALS = {"CI": TEST_PAIR}
    settings.CINETPAY_API_URL = ""
    return settings


def test_checkout_v2_is_the_default(api_settings):
    assert isinstance(get_checkout_client(), CheckoutClient)
    assert isinstance(get_transfer_client(), TransferClient)
    assert get_checkout_client(CHECKOUT_V2) is get_checkout_client()


def test_the_setting_or_the_argument_chooses_the_api(api_settings):
    assert isinstance(get_checkout_client(API), ApiCheckoutClient)
    assert isinstance(get_transfer_client(API), ApiTransferClient)
    api_settings.CINETPAY_BACKEND = API
    assert get_checkout_client() is get_checkout_client(API)
    assert isinstance(get_transfer_client(CHECKOUT_V2), TransferClient)  # a v2 payout in flight


def test_overrides_keep_working_on_both_backends(api_settings):
    client = get_checkout_client(API, timeout=2.5, check_attempts=1)
    assert client is not get_checkout_client(API)
    assert (client.connection.timeout, client.check_attempts) == (2.5, 1)
    assert get_checkout_client(timeout=2.5, check_attempts=1).timeout == 2.5


def test_an_unknown_backend_is_a_configuration_error(api_settings):
    with pytest.raises(exceptions.CinetPayConfigurationError, match="checkout_v2, api"):
        get_checkout_client("stripe")
    api_settings.CINETPAY_BACKEND = "v3"
    with pytest.raises(exceptions.CinetPayConfigurationError):
        get_transfer_client()


def test_the_api_without_credentials_is_a_configuration_error(api_settings):
    api_settings.CINETPAY_API_CREDENTIALS = {}
    with pytest.raises(exceptions.CinetPayConfigurationError, match="CINETPAY_API_KEY_CI"):
        get_checkout_client(API)


def test_the_host_follows_the_keys(api_settings):
    assert get_transfer_client(API).connection.base_url == SANDBOX_URL
    api_settings.CINETPAY_API_CREDENTIALS = {"SN": LIVE_PAIR}
    assert get_transfer_client(API).connection.base_url == PRODUCTION_URL
    api_settings.CINETPAY_API_URL = "http://localhost:8000/simulator/api/"
    assert get_transfer_client(API).connection.base_url == "http://localhost:8000/simulator/api"


def test_mixed_keys_are_a_configuration_error(api_settings):
    api_settings.CINETPAY_API_CREDENTIALS = {"CI": TEST_PAIR, "SN": LIVE_PAIR}
    with pytest.raises(exceptions.CinetPayConfigurationError, match="mixes sk_test_"):
        get_checkout_client(API)


def test_two_clients_share_the_countrys_token_through_djangos_cache(api_settings, rsps):
    api_settings.CINETPAY_API_URL = "https://api.cinetpay.test"
    login_ok(rsps)
    get_checkout_client(API).connection.login("CI")
    get_transfer_client(API).connection.login("CI")  # another client, as another process would be
    assert len(calls_to(rsps, LOGIN)) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["CI"], "must be a dict"),
        ({"FR": TEST_PAIR}, "not a country CinetPay serves"),
        ({"CI": {"api_key": "sk_test_x"}}, "needs both"),
        ({"CI": "sk_test_x"}, "needs both"),
    ],
)
def test_malformed_credentials_say_what_to_fix(value, message):
    with pytest.raises(exceptions.CinetPayConfigurationError, match=message):
        parse_credentials(value)


def test_credentials_are_normalised():
    [ci] = parse_credentials({" ci ": {"api_key": " sk_test_x ", "api_password": "p"}})
    assert ci == CountryCredentials("CI", "sk_test_x", "p")


@pytest.mark.parametrize(
    ("keys", "url", "message"),
    [(("abc",), "", "start with neither"), (("sk_test_x",), "ftp://x", "absolute http")],
)
def test_unusable_hosts(keys, url, message):
    credentials = [CountryCredentials("CI", key, "p") for key in keys]
    with pytest.raises(exceptions.CinetPayConfigurationError, match=message):
        base_url_for(credentials, url)
    assert (
        base_url_for([CountryCredentials("CI", "abc", "p")], "https://proxy.example")
        == "https://proxy.example"
    )


def test_credentials_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CINETPAY_API_KEY_CI", "sk_test_env")
    monkeypatch.setenv("CINETPAY_API_PASSWORD_CI", "env-pw")
    monkeypatch.setenv("CINETPAY_API_KEY_CM", "sk_test_cm")
    assert conf._env_api_credentials() == {
        "CI": {"api_key": "sk_test_env", "api_password": "env-pw"},
        "CM": {"api_key": "sk_test_cm", "api_password": ""},  # listed, so the checks report the gap
    }


def test_the_new_settings_defaults():
    assert conf.CinetPayConf.BACKEND == "checkout_v2"
    assert conf.CinetPayConf().configure_api_url("https://x.example/") == "https://x.example"
