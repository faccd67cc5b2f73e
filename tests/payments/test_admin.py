"""Admin: visible, read-only statuses, audited actions behind permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction
from django_cinetpay.states import PaymentStatus

from .conftest import notification_fields, post_notification

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:cinetpay_cinetpaytransaction_changelist"


@pytest.fixture
def viewer(staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="view_cinetpaytransaction"))
    return staff_user


def test_changelist_and_detail_show_masked_phones(client, admin_user, pending_payment):
    CinetPayTransaction.objects.filter(pk=pending_payment.pk).update(payer_phone="0707070707")
    client.force_login(admin_user)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert pending_payment.transaction_id in page
    assert "********07" in page
    assert "0707070707" not in page
    detail = client.get(reverse("admin:cinetpay_cinetpaytransaction_change", args=[pending_payment.pk]))
    assert detail.status_code == 200
    assert "0707070707" not in detail.content.decode()


def test_status_cannot_be_edited(client, admin_user, pending_payment):
    client.force_login(admin_user)
    url = reverse("admin:cinetpay_cinetpaytransaction_change", args=[pending_payment.pk])
    client.post(url, {"status": "accepted", "amount": 5})
    tx = CinetPayTransaction.objects.get(pk=pending_payment.pk)
    assert (tx.status, tx.amount) == ("pending", 1000)


def test_recheck_needs_its_permission(client, viewer, pending_payment, api):
    client.force_login(viewer)
    response = client.post(
        reverse(CHANGELIST), {"action": "recheck", "_selected_action": [pending_payment.pk]}, follow=True
    )
    assert response.status_code == 200
    assert api.calls_to("/payment/check") == 0


def test_recheck_is_audited_with_the_staff_member(client, viewer, pending_payment, api):
    viewer.user_permissions.add(Permission.objects.get(codename="recheck_cinetpaytransaction"))
    api.check("ACCEPTED")
    client.force_login(viewer)
    client.post(reverse(CHANGELIST), {"action": "recheck", "_selected_action": [pending_payment.pk]})
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    change = services.history(pending_payment).last()
    assert (change.actor_kind, change.actor_user) == ("admin", viewer)


def test_reprocess_a_failed_notification(client, admin_user, pending_payment, api):
    import requests

    api.check_raises(requests.Timeout())
    post_notification(client, notification_fields(pending_payment))
    api.check("ACCEPTED")
    client.force_login(admin_user)
    note = CinetPayNotification.objects.get()
    client.post(
        reverse("admin:cinetpay_cinetpaynotification_changelist"),
        {"action": "reprocess", "_selected_action": [note.pk]},
    )
    note.refresh_from_db()
    assert note.processed is True
    assert CinetPayTransaction.objects.get(pk=pending_payment.pk).status == PaymentStatus.ACCEPTED
    change = services.history(pending_payment).last()
    assert (change.actor_kind, change.actor_user) == ("admin", admin_user)


def test_stored_notifications_show_masked_phones(client, admin_user, pending_payment, api):
    api.check("ACCEPTED")
    post_notification(client, notification_fields(pending_payment, cel_phone_num="0707070707"))
    note = CinetPayNotification.objects.get()
    client.force_login(admin_user)
    page = client.get(reverse("admin:cinetpay_cinetpaynotification_change", args=[note.pk])).content.decode()
    assert "cel_phone_num = ********07" in page
    assert "0707070707" not in page
