"""The staff health page in the admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db
HEALTH = "admin:cinetpay_report_health"


@pytest.fixture
def reporter(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("analyste", "a@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return user


def test_the_health_page_lists_every_check(client: Any, reporter: Any, cinetpay: Any) -> None:
    cinetpay.ping()
    cinetpay.balance(10_000)
    client.force_login(reporter)
    response = client.get(reverse(HEALTH))
    assert response.status_code == 200
    page = response.content.decode()
    for check in ("configuration", "notifications", "payments", "payouts", "escrows", "cinetpay", "balance"):
        assert f'data-testid="finding-{check}"' in page
    assert "CinetPay answers and accepts the credentials." in page
    assert "Available 10,000\xa0XOF; payouts waiting need 0\xa0XOF." in page


def test_the_health_page_without_network_and_as_json(client: Any, reporter: Any, cinetpay: Any) -> None:
    client.force_login(reporter)
    data = json.loads(client.get(reverse(HEALTH), {"network": "0", "format": "json"}).content)
    assert [c["check"] for c in data["checks"]] == [
        "configuration",
        "notifications",
        "payments",
        "payouts",
        "escrows",
    ]
    assert cinetpay.calls() == 0


def test_staff_without_the_permission_are_refused(
    client: Any, admin_client: Any, django_user_model: Any
) -> None:
    staff = django_user_model.objects.create_user("guichet", "g@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(HEALTH), {"network": "0"}).status_code == 403
    assert admin_client.get(reverse(HEALTH), {"network": "0"}).status_code == 200
