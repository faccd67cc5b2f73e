"""Fault injection in the simulator app: per request (header), stored (dashboard), static (settings)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from django_cinetpay.simulator.models import SimulatedFault, SimulatedPayment
from django_cinetpay.simulator.views import api

from .conftest import init_body

pytestmark = pytest.mark.django_db


def fault(value: str) -> dict[str, str]:
    return {"X-CinetPay-Simulator-Fault": value}


def test_5xx_answers_503_and_does_nothing(sim_api):
    response = sim_api.post_checkout("payment", init_body(), headers=fault("5xx"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert not SimulatedPayment.objects.exists()


def test_html_answers_a_page_instead_of_json(sim_api):
    response = sim_api.transfer("GET", "transfer/check/balance", headers=fault("html"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"<html>" in response.content


def test_malformed_json_is_truncated_after_acting(sim_api):
    response = sim_api.post_checkout("payment", init_body(), headers=fault("malformed_json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert SimulatedPayment.objects.count() == 1  # CinetPay acted; only the answer is broken


def test_latency_delays_the_answer(sim_api, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(api.time, "sleep", slept.append)

    response = sim_api.post_checkout("payment/check", {"apikey": "k"}, headers=fault("latency=0.25"))

    assert slept == [0.25]
    assert response.status_code == 400  # the normal answer (here an error), late


def test_timeout_holds_the_answer_past_the_client_timeout(sim_api, monkeypatch, settings):
    settings.CINETPAY_TIMEOUT = 2
    slept: list[float] = []
    monkeypatch.setattr(api.time, "sleep", slept.append)

    response = sim_api.post_checkout("payment", init_body(), headers=fault("timeout"))

    assert slept == [2.5]
    assert response.json()["code"] == "201"  # too late for the client: it gave up at 2 s
    assert SimulatedPayment.objects.count() == 1


def test_unknown_fault_header_is_400(sim_api):
    response = sim_api.transfer("GET", "transfer/check/balance", headers=fault("gremlins"))
    assert response.status_code == 400
    assert b"unknown simulator fault" in response.content


def test_stored_rule_fires_its_times_then_goes(sim_api, client):
    response = client.post(
        reverse("cinetpay_simulator:fault-add"), {"fault": "5xx", "target": "payment/check", "times": "2"}
    )
    assert response.status_code == 302

    assert sim_api.post_checkout("payment", {}).status_code == 400  # another endpoint: no fault
    assert sim_api.check(transaction_id="X").status_code == 503
    assert sim_api.check(transaction_id="X").status_code == 503
    assert sim_api.check(transaction_id="X").status_code == 404
    assert not SimulatedFault.objects.exists()


def test_stored_rule_without_times_stays_until_removed(sim_api, client):
    client.post(reverse("cinetpay_simulator:fault-add"), {"fault": "html", "target": "*"})
    rule = SimulatedFault.objects.get()
    for _ in range(3):
        assert sim_api.check(transaction_id="X")["Content-Type"].startswith("text/html")

    client.post(reverse("cinetpay_simulator:fault-delete", args=[rule.pk]))

    assert sim_api.check(transaction_id="X").status_code == 404


def test_invalid_fault_form_is_shown_again(sim_api, client):
    response = client.post(reverse("cinetpay_simulator:fault-add"), {"fault": "gremlins", "target": "*"})
    assert response.status_code == 400
    assert not SimulatedFault.objects.exists()


def test_static_rules_come_from_the_settings(sim_api, settings):
    settings.CINETPAY_SIMULATOR_FAULTS = [{"fault": "5xx", "target": "auth/login"}]
    assert sim_api.transfer("POST", "auth/login", form={}).status_code == 503
    assert sim_api.transfer("POST", "auth/login", form={}).status_code == 503
    assert sim_api.check(transaction_id="X").status_code == 404


def test_notification_faults_from_the_checkout_page(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    page = reverse("cinetpay_simulator:checkout", args=[token])
    form = {"method": "OM", "phone": "0707070707"}

    client.post(page, {**form, "outcome": "pending", "notification": "lost"})
    assert merchant.caught == []

    client.post(page, {**form, "outcome": "pay", "notification": "out_of_order"})
    assert [c.fields["cpm_error_message"] for c in merchant.caught] == [
        "SUCCES",
        "WAITING_CUSTOMER_TO_VALIDATE",
    ]


def test_duplicate_notification_rule(sim_api, client, merchant):
    client.post(
        reverse("cinetpay_simulator:fault-add"), {"fault": "duplicate", "target": "notification", "times": 1}
    )
    token = sim_api.created()["payment_token"]

    client.post(
        reverse("cinetpay_simulator:checkout", args=[token]),
        {"method": "OM", "phone": "0707070707", "outcome": "pay"},
    )

    assert len(merchant.caught) == 2
    assert merchant.caught[0].body == merchant.caught[1].body
    assert merchant.caught[0].x_token == merchant.caught[1].x_token
