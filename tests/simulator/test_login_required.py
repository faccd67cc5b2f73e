"""Under Django's ``LoginRequiredMiddleware`` the simulator still plays CinetPay.

Its API endpoints and its checkout page stand for CinetPay, which never logs in to the merchant's site;
its dashboard is the developer's own tool and stays behind the login.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import SimulatorApi

pytestmark = pytest.mark.usefixtures("login_required_everywhere")


def test_the_apis_and_the_checkout_page_need_no_login(sim_api: SimulatorApi, client: Client) -> None:
    created = sim_api.created()
    assert sim_api.check(transaction_id="CP20260101000000ABC123").json()["code"] == "662"
    assert sim_api.login()
    checkout = client.get(urlsplit(created["payment_url"]).path)
    assert checkout.status_code == 200


def test_the_dashboard_stays_behind_the_login(db: None, client: Client) -> None:
    assert client.get(reverse("cinetpay_simulator:dashboard")).status_code == 302
