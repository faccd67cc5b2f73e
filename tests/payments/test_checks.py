"""System checks: stable ids, errors in production, warnings while developing."""

import pytest
from django.core import checks

from django_cinetpay import conf
from django_cinetpay.exceptions import CinetPayConfigurationError


def ids(debug=False):
    return sorted(m.id for m in checks.run_checks(tags=["cinetpay"]))


@pytest.fixture(autouse=True)
def _adapter_with_payouts(settings):
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"


def test_a_configured_project_passes():
    assert ids() == []


def test_an_adapter_without_payout_destination_is_a_warning(settings):
    settings.CINETPAY_ADAPTER = "django_cinetpay.adapter.DefaultAdapter"
    [message] = checks.run_checks(tags=["cinetpay"])
    assert message.id == "cinetpay.W011"
    assert "get_payout_destination" in message.hint


def test_an_adapter_that_does_not_import_is_an_error(settings):
    settings.CINETPAY_ADAPTER = "shop.adapters.Missing"
    assert ids() == ["cinetpay.E011"]


@pytest.mark.parametrize(
    ("setting", "number"),
    [("CINETPAY_API_KEY", "001"), ("CINETPAY_SITE_ID", "002"), ("CINETPAY_SECRET_KEY", "003")],
)
def test_missing_credentials_are_errors_in_production_and_warnings_in_debug(settings, setting, number):
    setattr(settings, setting, "")
    assert ids() == [f"cinetpay.E{number}"]
    settings.DEBUG = True
    [message] = checks.run_checks(tags=["cinetpay"])
    assert message.id == f"cinetpay.W{number}"
    assert "back-office" in message.hint


def test_missing_base_url(settings):
    settings.CINETPAY_BASE_URL = ""
    assert ids() == ["cinetpay.E004"]


@pytest.mark.parametrize(
    ("base", "debug", "expected"),
    [
        ("example.com", False, ["cinetpay.E005"]),
        ("http://shop.example.com", False, ["cinetpay.E006"]),
        ("http://shop.example.com", True, []),
        ("https://localhost:8000", False, ["cinetpay.E007"]),
        ("http://127.0.0.1:8000", True, []),
    ],
)
def test_base_url_rules(settings, base, debug, expected):
    settings.CINETPAY_BASE_URL = base
    settings.DEBUG = debug
    assert ids() == expected


def test_bad_currencies_channels_and_default(settings):
    settings.CINETPAY_CURRENCIES = ["XOF", "EUR"]
    settings.CINETPAY_CHANNELS = "MOBILE_MONEY,PAYPAL"
    settings.CINETPAY_DEFAULT_CURRENCY = "XAF"
    messages = {m.id: m for m in checks.run_checks(tags=["cinetpay"])}
    assert sorted(messages) == ["cinetpay.E008", "cinetpay.E009", "cinetpay.E010"]
    assert "EUR" in messages["cinetpay.E008"].msg
    assert "PAYPAL" in messages["cinetpay.E009"].msg


def test_settings_are_validated_when_declared():
    configure = conf.CinetPayConf()
    with pytest.raises(CinetPayConfigurationError, match="unknown currency codes"):
        configure.configure_currencies(["XOF", "ZZZ"])
    with pytest.raises(CinetPayConfigurationError, match="unknown channels"):
        configure.configure_channels("ALL,CASH")
    with pytest.raises(CinetPayConfigurationError, match="non-negative"):
        configure.configure_escrow_security_period(-5)
    assert configure.configure_currencies("xof") == ("XOF",)
    assert configure.configure_channels(["mobile_money", "credit_card"]) == "MOBILE_MONEY,CREDIT_CARD"
    assert configure.configure_escrow_security_period(60).total_seconds() == 60


def test_base_url_falls_back_to_the_seeds_base_url(settings):
    settings.BASE_URL = "https://jeux.example.ci/"
    assert conf.CinetPayConf().configure_base_url("") == "https://jeux.example.ci"
    assert conf.CinetPayConf().configure_base_url("https://a.example") == "https://a.example"


def test_configuration_errors_are_not_cinetpay_runtime_errors():
    from django.core.exceptions import ImproperlyConfigured

    from django_cinetpay.exceptions import CinetPayError

    assert issubclass(CinetPayConfigurationError, ImproperlyConfigured)
    assert not issubclass(CinetPayConfigurationError, CinetPayError)


# --- the backend and the CinetPay API's credentials (cinetpay.E040+) -------------------------------------

TEST_PAIR = {"api_key": "sk_test_ci", "api_password": "pw"}
LIVE_PAIR = {"api_key": "sk_live_sn", "api_password": "pw"}


def test_an_unknown_backend_is_an_error(settings):
    settings.CINETPAY_BACKEND = "checkout_v3"
    [message] = checks.run_checks(tags=["cinetpay"])
    assert message.id == "cinetpay.E040"
    assert "'checkout_v2', 'api'" in message.hint


def test_the_api_backend_without_credentials_is_an_error(settings):
    settings.CINETPAY_BACKEND = "api"
    settings.CINETPAY_API_CREDENTIALS = {}
    [message] = checks.run_checks(tags=["cinetpay"])
    assert message.id == "cinetpay.E041"
    assert "CINETPAY_API_KEY_CI" in message.hint


def test_the_api_backend_needs_no_checkout_v2_credentials(settings):
    settings.CINETPAY_BACKEND = "api"
    settings.CINETPAY_API_CREDENTIALS = {"SN": LIVE_PAIR}
    settings.CINETPAY_API_KEY = settings.CINETPAY_SITE_ID = settings.CINETPAY_SECRET_KEY = ""
    assert ids() == []


def test_malformed_api_credentials_are_an_error(settings):
    settings.CINETPAY_API_CREDENTIALS = {"FR": TEST_PAIR}
    [message] = checks.run_checks(tags=["cinetpay"])
    assert message.id == "cinetpay.E042"
    assert "'FR'" in message.msg


def test_a_key_without_a_known_prefix_is_an_error(settings):
    settings.CINETPAY_API_CREDENTIALS = {"CI": {"api_key": "12912847765bc0db", "api_password": "pw"}}
    [message] = checks.run_checks(tags=["cinetpay"])
    assert message.id == "cinetpay.E043"
    assert "CI" in message.msg
    assert "sk_live_" in message.hint


def test_mixed_sandbox_and_production_keys_are_an_error(settings):
    settings.CINETPAY_API_CREDENTIALS = {"CI": TEST_PAIR, "SN": LIVE_PAIR}
    assert ids() == ["cinetpay.E044"]


def test_sandbox_keys_in_production_are_a_warning_only_then(settings):
    settings.CINETPAY_API_CREDENTIALS = {"CI": TEST_PAIR}
    [message] = checks.run_checks(tags=["cinetpay"])
    assert (message.id, message.level) == ("cinetpay.W045", checks.WARNING)
    settings.DEBUG = True
    assert ids() == []


def test_a_malformed_api_url_is_an_error(settings):
    settings.CINETPAY_API_URL = "api.cinetpay.co"
    assert ids() == ["cinetpay.E046"]
