"""The dashboard in the admin: who may see it, what it shows, its downloads."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus

from .conftest import at, payment

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:cinetpay_report_changelist"
MARCH = {"since": "2026-03-01", "until": "2026-03-10"}


@pytest.fixture
def staff_without_reports(django_user_model: Any) -> Any:
    """A staff member who may see every payment, but not the reports."""
    user = django_user_model.objects.create_user("guichet", "guichet@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_cinetpaytransaction"))
    return user


@pytest.mark.parametrize("name", ["health", "changelist"])
def test_staff_without_the_permission_are_refused(client: Any, staff_without_reports: Any, name: str) -> None:
    client.force_login(staff_without_reports)
    assert client.get(reverse(f"admin:cinetpay_report_{name}")).status_code == 403
    assert client.get(reverse("admin:cinetpay_report_download", args=["json"])).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "CinetPay payments" in index
    assert reverse(DASHBOARD) not in index


def test_the_index_links_the_dashboard_for_those_allowed(client: Any, reporter: Any, admin_user: Any) -> None:
    for user in (reporter, admin_user):
        client.force_login(user)
        index = client.get(reverse("admin:index")).content.decode()
        assert f'href="{reverse(DASHBOARD)}"' in index
        assert "Reports and statistics" in index


def test_nothing_to_add_change_or_delete(client: Any, admin_user: Any) -> None:
    client.force_login(admin_user)
    page = client.get(reverse(DASHBOARD)).content.decode()
    assert "/add/" not in page.split('id="content-main"')[1]


@pytest.mark.usefixtures("known_data")
def test_the_dashboard_shows_the_figures_in_english(client: Any, reporter: Any) -> None:
    client.force_login(reporter)
    response = client.get(reverse(DASHBOARD), MARCH)
    assert response.status_code == 200
    assert "admin/base_site.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "57,000\xa0XOF" in page  # accepted payments
    assert "57.1\xa0%" in page  # conversion: 4 of 7
    assert "Accepted / started: 4 / 7" in page
    assert "22,000\xa0XOF" in page  # held now
    assert "Orange Money" in page
    assert "MTN Mobile Money" in page
    assert "The customer&#x27;s balance is too low for this payment." in page
    assert page.count('class="cp-chart"') == 4  # volume and number, for XAF and XOF
    assert "Disputed" in page
    assert "Outcome unknown" in page


@pytest.mark.usefixtures("known_data")
def test_the_dashboard_speaks_french(client: Any, reporter: Any) -> None:
    client.force_login(reporter)
    with translation.override("fr"):
        page = client.get(reverse(DASHBOARD), MARCH, headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="fr"' in page
    assert "57\u202f000\xa0XOF" in page or "57\xa0000\xa0XOF" in page
    assert "Accepté" in page
    assert "En litige" in page


def test_a_bad_period_is_explained_and_the_default_shown(client: Any, reporter: Any) -> None:
    client.force_login(reporter)
    response = client.get(reverse(DASHBOARD), {"since": "2026-03-10", "until": "2026-03-01"})
    assert response.status_code == 200
    assert "is after its end" in response.content.decode()
    assert response.context["period"].days == 30
    bad = client.get(reverse("admin:cinetpay_report_download", args=["csv"]), {"since": "yesterday"})
    assert bad.status_code == 400
    assert client.get(reverse("admin:cinetpay_report_download", args=["xlsx"])).status_code == 400


@pytest.mark.usefixtures("known_data")
def test_the_json_download_has_integer_amounts_per_currency(client: Any, reporter: Any) -> None:
    client.force_login(reporter)
    response = client.get(reverse("admin:cinetpay_report_download", args=["json"]), MARCH)
    assert (
        response["Content-Disposition"] == 'attachment; filename="cinetpay-report-2026-03-01-2026-03-10.json"'
    )
    data = json.loads(response.content)
    assert data["commission"] == {"XAF": 0, "XOF": 1_000}
    assert data["payments"]["XOF"]["by_status"]["accepted"] == {"count": 4, "amount": 57_000}


def test_the_csv_download_cannot_run_a_formula(client: Any, reporter: Any, buyer: Any, seller: Any) -> None:
    """A reason CinetPay sent (shown as the label of an unknown code) cannot become a spreadsheet formula."""
    payment(
        buyer, seller, 5_000, PaymentStatus.REFUSED, at(3), cinetpay_code="=1+1", cinetpay_message="@SUM(A1)"
    )
    assert CinetPayTransaction.objects.count() == 1
    client.force_login(reporter)
    response = client.get(reverse("admin:cinetpay_report_download", args=["csv"]), MARCH)
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["section", "currency", "key", "label", "count", "amount"]
    failure = next(line for line in lines if line[0] == "payments.failures.refused")
    assert failure == ["payments.failures.refused", "XOF", "'=1+1", "'=1+1 @SUM(A1)", "1", ""]
