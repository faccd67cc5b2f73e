"""cinetpay_check_pending and cinetpay_ping."""

import datetime as dt
import json
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command
from django.utils import timezone

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

pytestmark = pytest.mark.django_db
TRANSFER = "https://client.cinetpay.test/v1"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def age(tx, minutes):
    CinetPayTransaction.objects.filter(pk=tx.pk).update(
        checkout_started_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_check_pending_dry_run_calls_nothing(pending_payment, api):
    age(pending_payment, 30)
    out, _ = run("cinetpay_check_pending", "--dry-run")
    assert "1 payment(s)" in out
    assert "dry run" in out
    assert api.calls_to("/payment/check") == 0


def test_check_pending_applies_cinetpays_answer_to_old_payments_only(
    pending_payment, payment, api, buyer, seller
):
    from django_cinetpay import services

    recent = services.create_payment(buyer=buyer, seller=seller, amount=500, description="Skin")
    api.init_ok("tok-recent")
    services.start_checkout(recent, actor=services.Actor.system())
    age(pending_payment, 30)
    api.check("ACCEPTED")
    out, _ = run("cinetpay_check_pending", "--older-than", "15")
    assert "1 payment(s)" in out
    assert f"{pending_payment.transaction_id}: applied → accepted" in out
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    assert CinetPayTransaction.objects.get(pk=recent.pk).status == PaymentStatus.PENDING
    assert services.history(pending_payment).last().actor_label == "cinetpay_check_pending"


def test_check_pending_reports_failures_and_goes_on(pending_payment, api):
    age(pending_payment, 30)
    api.check_raises(requests.Timeout())
    _, err = run("cinetpay_check_pending")
    assert pending_payment.transaction_id in err
    assert "could not be checked" in err


def test_ping_accepts_good_credentials(api):
    api.mock.post(
        "https://api-checkout.cinetpay.test/v2/payment/check",
        json={"code": "627", "message": "TRANSACTION_NOT_FOUND"},
    )
    api.mock.post(
        f"{TRANSFER}/auth/login", json={"code": 0, "message": "OPERATION_SUCCES", "data": {"token": "t"}}
    )
    api.mock.get(
        f"{TRANSFER}/transfer/check/balance",
        json={
            "code": 0,
            "message": "OPERATION_SUCCES",
            "data": {"amount": "5000", "inUsing": "0", "available": "5000"},
        },
    )
    out, _ = run("cinetpay_ping")
    assert "accepts the credentials" in out
    assert "available balance 5000" in out
    assert "CinetPay is reachable" in out


def test_ping_fails_with_the_hint_on_bad_credentials(api):
    api.mock.post(
        "https://api-checkout.cinetpay.test/v2/payment/check",
        json={"code": "609", "message": "AUTH_NOT_FOUND"},
    )
    with pytest.raises(CommandError, match="CINETPAY_API_KEY"):
        run("cinetpay_ping", "--skip-transfer")


def test_ping_fails_when_cinetpay_is_unreachable(api):
    api.check_raises(requests.ConnectionError())
    with pytest.raises(CommandError, match="could not be reached"):
        run("cinetpay_ping", "--skip-transfer")


def test_ping_fails_on_a_wrong_transfer_password(api):
    api.mock.post(
        "https://api-checkout.cinetpay.test/v2/payment/check", json={"code": "627", "message": "NOT_FOUND"}
    )
    api.mock.post(f"{TRANSFER}/auth/login", json={"code": "701", "message": "INVALID_CREDENTIALS"})
    with pytest.raises(CommandError, match="CINETPAY_TRANSFER_PASSWORD"):
        run("cinetpay_ping")


def test_ping_refuses_a_broken_configuration(settings, api):
    settings.CINETPAY_API_KEY = ""
    with pytest.raises(CommandError, match="Fix the settings"):
        run("cinetpay_ping")
    assert not api.mock.calls


# --- cinetpay_ping on the CinetPay API: a login per country --------------------------------------------

API = "https://api.cinetpay.test"
PAIRS = {
    "CI": {"api_key": "sk_live_ci-KEY", "api_password": "ci-PASSWORD-SECRET"},
    "SN": {"api_key": "sk_live_sn-KEY", "api_password": "sn-PASSWORD-SECRET"},
}


@pytest.fixture
def api_backend(settings):
    settings.CINETPAY_BACKEND = "api"
    settings.CINETPAY_API_CREDENTIALS = PAIRS
    settings.CINETPAY_API_URL = API
    return settings


def logins(api):
    return [
        json.loads(c.request.body)["api_key"]
        for c in api.mock.calls
        if c.request.url == f"{API}/v1/oauth/login"
    ]


def test_ping_logs_in_to_every_countrys_account(api_backend, api):
    api.mock.post(f"{API}/v1/oauth/login", json={"code": 200, "status": "OK", "access_token": "jwt"})
    out, _ = run("cinetpay_ping")
    assert "CinetPay API: https://api.cinetpay.test" in out
    assert "CI: logged in" in out
    assert "SN: logged in" in out
    assert "CinetPay is reachable" in out
    assert logins(api) == ["sk_live_ci-KEY", "sk_live_sn-KEY"]
    assert not any("payment/check" in c.request.url for c in api.mock.calls)  # no Checkout v2 call


def test_ping_logs_in_even_with_a_token_in_the_cache(api_backend, api):
    api.mock.post(f"{API}/v1/oauth/login", json={"code": 200, "access_token": "jwt"})
    run("cinetpay_ping")
    run("cinetpay_ping")
    assert len(logins(api)) == 4


def test_ping_names_each_country_whose_pair_is_refused(api_backend, api):
    api.mock.post(f"{API}/v1/oauth/login", json={"code": 200, "access_token": "jwt"})
    api.mock.post(f"{API}/v1/oauth/login", json={"code": 1005, "status": "INVALID_CREDENTIALS"}, status=401)
    with pytest.raises(CommandError, match="refused the credentials of SN") as caught:
        run("cinetpay_ping")
    assert "PASSWORD-SECRET" not in str(caught.value)


def test_ping_checks_the_api_on_demand_and_v2_stays_the_default(settings, api):
    settings.CINETPAY_API_CREDENTIALS = PAIRS
    settings.CINETPAY_API_URL = API
    api.mock.post(f"{API}/v1/oauth/login", json={"code": 200, "access_token": "jwt"})
    out, _ = run("cinetpay_ping", "--backend", "api")
    assert "SN: logged in" in out


def test_ping_refuses_the_api_backend_without_credentials(api_backend, api):
    api_backend.CINETPAY_API_CREDENTIALS = {}
    with pytest.raises(CommandError, match="Fix the settings"):
        run("cinetpay_ping")
    assert not api.mock.calls
