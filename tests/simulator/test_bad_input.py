"""The simulator answers NUL bytes and other text PostgreSQL refuses with a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User

from .conftest import PREFIX, SimulatorApi, init_body

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
SURROGATE = "a\ud800b"


@pytest.mark.parametrize("path", ["payment/{}/", "payment/{}/resend/", "transfers/{}/validate/"])
@pytest.mark.parametrize("value", ["a%00b", "%ED%A0%80", "x" * 300])
def test_pages_with_impossible_ids_are_404(client, path, value):
    staff = User.objects.create_user("staff", password="pw", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for method in (client.get, client.post):
        response = method(f"{PREFIX}/" + path.format(value))
        assert response.status_code == 404, (path, value, response.status_code)


@pytest.mark.parametrize("field", ["transaction_id", "description", "metadata", "customer_phone_number"])
@pytest.mark.parametrize("value", [NUL, SURROGATE])
def test_checkout_api_refuses_text_it_cannot_store(sim_api: SimulatorApi, field, value):
    raw = json.dumps(init_body(**{field: value}))
    response = sim_api.post_checkout("payment", raw=raw)
    assert response.status_code == 400, response.content
    assert "NUL characters or lone surrogates" in response.json()["description"]
    check = sim_api.post_checkout(
        "payment/check", raw=json.dumps({"apikey": "x", "site_id": "y", "transaction_id": value})
    )
    assert check.status_code == 400, check.content


def test_transfer_api_refuses_text_it_cannot_store(client):
    response = client.post(
        f"{PREFIX}/v1/auth/login", {"apikey": NUL, "password": "pw"}, headers={"User-Agent": "tests"}
    )
    assert response.status_code == 400, response.content
