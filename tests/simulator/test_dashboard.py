"""The simulator's dashboard: see payments and transfers, settle transfers, resend notifications."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from django_cinetpay.simulator.models import SimulatedTransfer

from .conftest import TRANSFER_NOTIFY_URL

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("cinetpay_simulator:dashboard")


@pytest.fixture
def transfer(sim_api, settings) -> str:
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = None
    token = sim_api.login()
    contact = {"prefix": "225", "phone": "0707070707", "name": "K", "surname": "A", "email": "a@example.com"}
    sim_api.transfer("POST", "transfer/contact", query={"token": token}, form={"data": json.dumps([contact])})
    item = {
        "prefix": "225",
        "phone": "0707070707",
        "amount": 950,
        "client_transaction_id": "PAYOUT-1",
        "notify_url": TRANSFER_NOTIFY_URL,
    }
    response = sim_api.transfer(
        "POST", "transfer/money/send/contact", query={"token": token}, form={"data": json.dumps([item])}
    )
    assert response.json()["code"] == 0
    return "PAYOUT-1"


def action(client, client_transaction_id: str, name: str, **data: str):
    url = reverse("cinetpay_simulator:transfer-action", args=[client_transaction_id, name])
    return client.post(url, data)


def test_dashboard_lists_everything_and_the_settings_to_use(sim_api, client, transfer):
    sim_api.created()

    html = client.get(DASHBOARD).content.decode()

    assert 'CINETPAY_CHECKOUT_API_URL = "http://testserver/cinetpay-simulator/v2"' in html
    assert 'CINETPAY_TRANSFER_API_URL = "http://testserver/cinetpay-simulator/v1"' in html
    assert "CP20260101000000ABC123" in html
    assert "PAYOUT-1" in html
    assert "+2250707070707" in html


def test_validate_a_transfer(client, transfer, merchant):
    assert action(client, transfer, "validate").status_code == 302

    assert SimulatedTransfer.objects.get().treatment_status == "VAL"
    (note,) = merchant.caught
    assert note.fields["treatment_status"] == "VAL"


def test_reject_a_transfer_with_a_comment(client, transfer, merchant):
    action(client, transfer, "reject", comment="Numéro invalide")

    record = SimulatedTransfer.objects.get().record
    assert record["treatment_status"] == "REJ"
    assert record["comment"] == "Numéro invalide"
    assert merchant.caught[0].fields["comment"] == "Numéro invalide"


def test_a_settled_transfer_cannot_settle_again(client, transfer, merchant):
    action(client, transfer, "validate")
    response = action(client, transfer, "reject")
    assert response.status_code == 400
    assert "already VAL" in response.content.decode()


def test_resend_a_transfer_notification(client, transfer, merchant):
    action(client, transfer, "validate")
    action(client, transfer, "resend")
    assert len(merchant.caught) == 2
    assert merchant.caught[0].body == merchant.caught[1].body


def test_unknown_transfer_action_is_404(client, transfer):
    assert action(client, transfer, "steal").status_code == 404


def test_resend_a_payment_notification(sim_api, client, merchant):
    token = sim_api.created()["payment_token"]
    resend = reverse("cinetpay_simulator:payment-resend", args=[token])
    assert client.post(resend).status_code == 400  # nothing was sent yet

    client.post(
        reverse("cinetpay_simulator:checkout", args=[token]),
        {"method": "OM", "phone": "0707070707", "outcome": "pay"},
    )
    client.post(resend)

    assert len(merchant.caught) == 2
    assert merchant.caught[0].body == merchant.caught[1].body
    assert "200" in client.get(DASHBOARD).content.decode()


def test_dashboard_settles_due_transfers(client, transfer, merchant, settings):
    settings.CINETPAY_SIMULATOR_TRANSFER_DELAY = 0
    client.get(DASHBOARD)
    assert SimulatedTransfer.objects.get().treatment_status == "VAL"


# --- words and layout for people ------------------------------------------------------------------------


def test_the_dashboard_names_states_and_faults_for_people(sim_api, client, transfer):
    sim_api.created(amount=12500)

    html = client.get(DASHBOARD).content.decode()

    assert "Awaiting validation" in html  # a transfer in treatment_status NEW
    assert ">NEW<" not in html
    assert 'data-label="State">Created<' in html
    assert "12,500\N{NO-BREAK SPACE}XOF" in html
    assert '<label for="id_fault">Fault</label>' in html
    assert '<option value="lost">Notification lost</option>' in html
    assert ">lost<" not in html


def test_the_dashboard_speaks_french(sim_api, client, transfer):
    sim_api.created(amount=12500)
    html = client.get(DASHBOARD, headers={"accept-language": "fr"}).content.decode()

    with translation.override("fr"):
        expected = [translation.gettext(text) for text in ("Awaiting validation", "Created", "Faults")]
    assert 'lang="fr"' in html
    for text in expected:
        assert text.replace("'", "&#x27;") in html or text in html
    assert "12\N{NO-BREAK SPACE}500\N{NO-BREAK SPACE}XOF" in html


def test_every_data_cell_names_its_column_for_the_phone_layout(sim_api, client, transfer):
    sim_api.created()
    html = client.get(DASHBOARD).content.decode()

    rows = re.findall(r"<tr>\s*(.*?)</tr>", html.split("<tbody>", 2)[2], flags=re.S)
    assert rows
    for row in rows:
        cells = re.findall(r"<td([^>]*)>", row)
        assert all("data-label=" in cell for cell in cells[:-1]), row  # the last one holds the buttons
    assert ".sim-table td[data-label]::before" in html  # the stacked layout below 40rem
