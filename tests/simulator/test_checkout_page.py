"""The checkout page: what the customer sees and does, what CinetPay then notifies and answers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from django_cinetpay.client.signing import SIGNED_FIELDS, verify_x_token
from django_cinetpay.simulator.models import SimulatedPayment

from .conftest import NOTIFY_URL, RETURN_URL, SECRET, SITE_ID

pytestmark = pytest.mark.django_db

TRANSACTION_ID = "CP20260101000000ABC123"


def page_url(token: str) -> str:
    return reverse("cinetpay_simulator:checkout", args=[token])


def act(client: Client, token: str, outcome: str, **fields: str):
    data = {"method": "OM", "phone": "0707070707", "phone_prefix": "225", "outcome": outcome, **fields}
    return client.post(page_url(token), data)


def check(sim_api) -> dict:
    return sim_api.check(transaction_id=TRANSACTION_ID).json()


def test_page_shows_what_is_paid_and_to_whom(sim_api, client, settings):
    settings.CINETPAY_SIMULATOR_MERCHANT_NAME = "GameMarket CI"
    token = sim_api.created(amount=12500, description="Compte Free Fire niveau 70")["payment_token"]

    response = client.get(page_url(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert "GameMarket CI" in html
    assert "12,500" in html  # grouped for the page's language (English here)
    assert "XOF" in html
    assert "Compte Free Fire niveau 70" in html
    assert TRANSACTION_ID in html
    for label in ("Orange Money", "MTN Mobile Money", "Moov Money", "Wave", "Bank card"):
        assert label in html
    for outcome in ("pay", "refuse", "cancel", "pending"):
        assert f'name="outcome" value="{outcome}"' in html
    # No CDN, not even the site's own static files: the CSS and the icon are inline.
    (icon,) = re.findall(r'<link [^>]*href="([^"]*)"', html)
    assert icon.startswith("data:image/svg+xml,")
    assert "<script src" not in html


def test_merchant_name_defaults_to_the_site(sim_api, client):
    token = sim_api.created()["payment_token"]
    assert f"Site {SITE_ID}" in client.get(page_url(token)).content.decode()


def test_page_offers_only_the_methods_of_the_channels(sim_api, client):
    token = sim_api.created(channels="MOBILE_MONEY")["payment_token"]
    html = client.get(page_url(token)).content.decode()
    assert "Orange Money" in html
    assert "Bank card" not in html
    assert act(client, token, "pay", method="CARD").status_code == 400


def test_unknown_token_is_404(db, client):
    assert client.get(page_url("nope")).status_code == 404


def test_pay_notifies_then_sends_the_browser_back_by_post(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]

    response = act(client, token, "pay")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(rf'<form id="sim-return" method="post" action="{re.escape(RETURN_URL)}">', html)
    assert f'name="transaction_id" value="{TRANSACTION_ID}"' in html
    assert f'name="token" value="{token}"' in html
    assert 'document.getElementById("sim-return").submit()' in html
    assert len(merchant.caught) == 1


def test_payment_notification_is_a_signed_form_with_the_documented_fields(sim_api, client, merchant):
    token = sim_api.created(lang="en")["payment_token"]
    act(client, token, "pay", method="MOMO", phone="0505050505")

    (note,) = merchant.caught
    assert note.url == NOTIFY_URL
    assert note.content_type == "application/x-www-form-urlencoded"
    assert [name for name, _ in note.pairs] == list(SIGNED_FIELDS)  # exactly these, in this order
    fields = note.fields
    assert fields["cpm_site_id"] == SITE_ID
    assert fields["cpm_trans_id"] == TRANSACTION_ID
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", fields["cpm_trans_date"])
    assert fields["cpm_amount"] == "1000"
    assert fields["cpm_currency"] == "XOF"
    assert fields["signature"]
    assert fields["signature"] != note.x_token
    assert fields["payment_method"] == "MOMO"
    assert fields["cel_phone_num"] == "0505050505"
    assert fields["cpm_phone_prefixe"] == "225"
    assert fields["cpm_language"] == "en"
    assert (fields["cpm_version"], fields["cpm_payment_config"], fields["cpm_page_action"]) == (
        "V4",
        "SINGLE",
        "PAYMENT",
    )
    assert fields["cpm_custom"] == "order-42"
    assert fields["cpm_designation"] == "Compte Free Fire niveau 70"
    assert fields["cpm_error_message"] == "SUCCES"
    assert re.fullmatch(r"[0-9a-f]{64}", note.x_token)
    assert verify_x_token(SECRET, note.x_token, fields)
    assert verify_x_token(SECRET, note.x_token, {}, arrival_values=[v for _, v in note.pairs])
    assert not verify_x_token("another-secret", note.x_token, fields)


def test_notification_is_signed_with_the_secret_of_the_settings(sim_api, client, merchant, settings):
    settings.CINETPAY_SECRET_KEY = "rotated-secret"
    token = sim_api.created()["payment_token"]
    act(client, token, "pay")
    (note,) = merchant.caught
    assert verify_x_token("rotated-secret", note.x_token, note.fields)


def test_check_after_pay_is_accepted(sim_api, client, merchant):
    token = sim_api.created(metadata=None)["payment_token"]
    act(client, token, "pay")

    payload = check(sim_api)

    assert payload["code"] == "00"
    assert payload["message"] == "SUCCES"
    data = payload["data"]
    assert set(data) == {
        "amount",
        "currency",
        "status",
        "payment_method",
        "description",
        "metadata",
        "operator_id",
        "payment_date",
        "fund_availability_date",
    }
    assert data["status"] == "ACCEPTED"
    assert data["amount"] == "1000"  # a string
    assert data["currency"] == "XOF"
    assert data["payment_method"] == "OM"
    assert data["description"] == "Compte Free Fire niveau 70"
    assert data["metadata"] is None
    assert re.fullmatch(r"MP\d{6}\.\d{4}\.[0-9A-F]{6}", data["operator_id"])
    paid = dt.datetime.strptime(data["payment_date"], "%Y-%m-%d %H:%M:%S")
    assert data["fund_availability_date"] == (paid + dt.timedelta(days=2)).strftime("%Y-%m-%d 00:00:00")


def test_refuse(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    act(client, token, "refuse")

    payload = check(sim_api)
    assert (payload["code"], payload["message"], payload["data"]["status"]) == (
        "600",
        "PAYMENT_FAILED",
        "REFUSED",
    )
    assert payload["data"]["operator_id"] is None
    assert payload["data"]["payment_date"] == " "
    assert merchant.caught[0].fields["cpm_error_message"] == "PAYMENT_FAILED"


def test_refused_payment_can_be_paid_on_a_new_try(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    act(client, token, "refuse")
    assert "previous attempt was refused" in client.get(page_url(token)).content.decode()
    act(client, token, "pay")
    assert check(sim_api)["code"] == "00"
    assert len(merchant.caught) == 2


def test_cancel_needs_no_method(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    client.post(page_url(token), {"outcome": "cancel"})

    payload = check(sim_api)
    assert (payload["code"], payload["message"], payload["data"]["status"]) == (
        "627",
        "TRANSACTION_CANCEL",
        "REFUSED",
    )
    assert "cancelled" in client.get(page_url(token)).content.decode()


def test_pending_then_pay(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]

    response = act(client, token, "pending", method="OM", phone="0707070707")
    assert response.status_code == 302
    assert response["Location"] == page_url(token)
    payload = check(sim_api)
    assert (payload["code"], payload["data"]["status"]) == ("623", "WAITING_FOR_CUSTOMER")
    waiting_page = client.get(page_url(token)).content.decode()
    assert "+225 0707070707" in waiting_page

    client.post(page_url(token), {"outcome": "pay"})  # confirmed on the phone: the method stays OM

    payload = check(sim_api)
    assert (payload["code"], payload["data"]["status"], payload["data"]["payment_method"]) == (
        "00",
        "ACCEPTED",
        "OM",
    )
    assert [c.fields["cpm_error_message"] for c in merchant.caught] == [
        "WAITING_CUSTOMER_TO_VALIDATE",
        "SUCCES",
    ]


def test_card_payments_do_not_wait(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    response = act(client, token, "pending", method="CARD", phone="")
    assert response.status_code == 400
    assert "Card payments do not wait" in response.content.decode()


def test_accepted_payment_takes_no_more_actions(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    act(client, token, "pay")

    response = act(client, token, "refuse")

    assert response.status_code == 400
    assert "already accepted" in response.content.decode()
    assert "This payment is complete." in response.content.decode()
    assert check(sim_api)["code"] == "00"
    assert len(merchant.caught) == 1


@pytest.mark.parametrize("phone", ["", "07 07", "phone"])
def test_mobile_money_needs_a_phone_number(sim_api, client, merchant, phone):
    token = sim_api.created()["payment_token"]
    response = act(client, token, "pay", phone=phone)
    assert response.status_code == 400
    assert "phone number" in response.content.decode()
    assert merchant.caught == []


def test_locked_phone_number(sim_api, client, merchant):
    token = sim_api.created(lock_phone_number=True, customer_phone_number="0707070707")["payment_token"]
    html = client.get(page_url(token)).content.decode()
    assert re.search(r'<input[^>]*name="phone"[^>]*readonly', html)

    response = act(client, token, "pay", phone="0505050505")
    assert response.status_code == 400
    assert "only be paid from the number" in response.content.decode()

    act(client, token, "pay", phone="0707070707")
    assert check(sim_api)["code"] == "00"


def test_unknown_outcome_is_refused(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    assert act(client, token, "steal").status_code == 400
    assert SimulatedPayment.objects.get(token=token).state == "created"


def test_the_page_is_csrf_protected(sim_api, merchant):
    token = sim_api.created()["payment_token"]
    response = act(Client(enforce_csrf_checks=True), token, "pay")
    assert response.status_code == 403
    assert merchant.caught == []


def test_notify_url_failures_are_kept_and_do_not_break_the_page(sim_api, client, merchant):
    merchant.status = 500
    token = sim_api.created()["payment_token"]

    assert act(client, token, "pay").status_code == 200

    (delivery,) = SimulatedPayment.objects.get(token=token).record["deliveries"]
    assert delivery["status"] == 500


def test_every_field_has_a_name_a_screen_reader_reads(sim_api, client):
    token = sim_api.created()["payment_token"]
    html = client.get(page_url(token)).content.decode()

    for field in ("id_phone_prefix", "id_phone", "id_notification"):
        assert re.search(rf'<label [^>]*for="{field}"', html), field
    assert "<legend" in html  # the payment methods are a named group
