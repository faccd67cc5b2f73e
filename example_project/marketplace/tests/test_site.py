"""The whole site: its icon (no 404 on any page), the demo's staff account, and ``scripts/demo --help``."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from marketplace import demo

pytestmark = pytest.mark.django_db
DEMO_SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "demo"


def test_every_site_page_names_its_icon(client: Client) -> None:
    assert '<link rel="icon" href="/static/marketplace/favicon.svg"' in client.get("/").content.decode()
    icon = finders.find("marketplace/favicon.svg")
    assert icon
    assert Path(icon).read_text().startswith("<svg")


def test_pages_that_name_no_icon_get_the_sites_not_a_404(client: Client) -> None:
    """The admin's pages name no icon, so browsers ask for /favicon.ico."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/marketplace/favicon.svg"


def test_the_demo_staff_account_sees_all_of_the_staff_side(django_user_model: Any) -> None:
    staff = django_user_model.objects.get(username="admin")
    client = Client()
    client.force_login(staff)

    assert client.get("/admin/").status_code == 200
    assert staff.has_perm("cinetpay.view_reports")  # the reports dashboard
    every = [
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    ]
    assert every
    assert all(staff.has_perm(name) for name in every)


def test_loading_the_demo_again_gives_the_staff_account_back_its_rights(django_user_model: Any) -> None:
    django_user_model.objects.filter(username="admin").update(is_staff=False, is_superuser=False)

    demo.load()

    staff = django_user_model.objects.get(username="admin")
    assert staff.is_staff
    assert staff.has_perm("cinetpay.view_reports")


def test_the_demo_script_explains_its_argument() -> None:
    done = subprocess.run(
        [str(DEMO_SCRIPT), "--help"], capture_output=True, text=True, timeout=30, check=False
    )

    assert done.returncode == 0
    assert done.stdout.startswith("Usage: scripts/demo [ADDRESS:PORT]")
    assert "default 127.0.0.1:8000" in done.stdout
    assert "Installing" not in done.stdout  # --help does nothing else


def test_the_demo_script_refuses_what_it_does_not_know() -> None:
    done = subprocess.run(
        [str(DEMO_SCRIPT), "--port", "80"], capture_output=True, text=True, timeout=30, check=False
    )

    assert done.returncode == 2
    assert "unknown option --port" in done.stderr


def test_a_payment_in_the_admin_links_its_purchase_page_with_the_chat(
    django_user_model: Any, buyer_client: Client, listing: Any, buy: Any
) -> None:
    purchase = buy(buyer_client, listing)
    staff = Client()
    staff.force_login(django_user_model.objects.get(username="admin"))
    page = staff.get(reverse("admin:cinetpay_cinetpaytransaction_change", args=[purchase.payment.pk]))
    assert f'href="{reverse("marketplace:purchase", args=[purchase.pk])}"' in page.content.decode()
