"""Money records are never added, edited or deleted from the admin, whatever the staff member may do:
not from the list, not from the record's page, not through "delete selected", not in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.urls import reverse

from django_cinetpay.models import (
    CinetPayNotification,
    CinetPayTransaction,
    EscrowTransaction,
    PayoutRequest,
    StateChange,
)
from django_cinetpay.states import EscrowStatus
from tests.payments.conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db

MODELS = [CinetPayTransaction, EscrowTransaction, PayoutRequest, CinetPayNotification]


@pytest.fixture
def records(client: Any, disputed: EscrowTransaction, staff: Any, api: Any) -> dict[type[Model], Model]:
    """One of each: a disputed escrow, its payment, a pending refund payout of another, a notification."""
    post_notification(client, notification_fields(disputed.payment))
    return {
        CinetPayTransaction: disputed.payment,
        EscrowTransaction: disputed,
        PayoutRequest: _a_payout(disputed, staff),
        CinetPayNotification: CinetPayNotification.objects.get(),
    }


def _a_payout(disputed: EscrowTransaction, staff: Any) -> PayoutRequest:
    from django_cinetpay import services

    services.resolve_dispute(disputed, staff, EscrowStatus.REFUNDED, "remboursé")
    return PayoutRequest.objects.get()


@pytest.fixture
def almighty(django_user_model: Any) -> Any:
    """Staff holding every permission of the package, add, change and delete included."""
    user = django_user_model.objects.create_user("tout", "tout@example.com", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="cinetpay"))
    return django_user_model.objects.get(pk=user.pk)


def url(model: type[Model], name: str, *args: Any) -> str:
    return reverse(f"admin:cinetpay_{model._meta.model_name}_{name}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_nothing_is_added(client, almighty, model):
    client.force_login(almighty)
    assert client.get(url(model, "add")).status_code == 403
    assert url(model, "add") not in client.get(url(model, "changelist")).content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_no_record_is_deleted_from_its_page(client, almighty, records, model):
    record = records[model]
    client.force_login(almighty)
    page = client.get(url(model, "change", record.pk)).content.decode()
    assert url(model, "delete", record.pk) not in page
    assert client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_no_record_is_deleted_from_its_list(client, almighty, records, model):
    record = records[model]
    client.force_login(almighty)
    assert 'value="delete_selected"' not in client.get(url(model, "changelist")).content.decode()
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [record.pk], "post": "yes"}
    response = client.post(url(model, "changelist"), data)
    assert response.status_code == 302
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", MODELS)
def test_a_record_is_shown_read_only(client, almighty, records, model):
    record = records[model]
    client.force_login(almighty)
    page = client.get(url(model, "change", record.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = model.objects.filter(pk=record.pk).values().get()
    client.post(url(model, "change", record.pk), {"status": "released", "amount": 1, "processed": "on"})
    assert model.objects.filter(pk=record.pk).values().get() == before


def test_the_audit_trail_is_read_only(client, almighty, records):
    client.force_login(almighty)
    escrow = records[EscrowTransaction]
    response = client.get(url(EscrowTransaction, "change", escrow.pk))
    assert "Refunded to the buyer" in response.content.decode()  # the trail names the statuses
    [trail] = response.context["inline_admin_formsets"]
    permissions = (trail.has_add_permission, trail.has_change_permission, trail.has_delete_permission)
    assert permissions == (False, False, False)
    assert "-DELETE" not in response.content.decode()
    audit_rows = StateChange.objects.count()
    client.post(
        url(EscrowTransaction, "change", escrow.pk),
        {"cinetpay-statechange-content_type-object_id-0-DELETE": "on"},
    )
    assert StateChange.objects.count() == audit_rows
