"""Staff see every message with its state and error; nobody edits them; failed ones are sent again."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from django_cinetpay.models import Message, MessageState

LIST = reverse("admin:cinetpay_message_changelist")


@pytest.fixture
def agent(django_user_model):
    user = django_user_model.objects.create_user("agent", "agent@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_message"))
    return user


def test_the_list_shows_state_and_masks_numbers(paid, agent, client):
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert "+2250707070707" not in page
    assert "************07" in page
    assert "awa@example.com" in page
    assert page.count("Sent") >= 4
    assert client.get(LIST, {"state__exact": "failed"}).context["cl"].result_count == 0
    assert (
        client.get(LIST, {"channel__exact": "sms", "kind__exact": "buyer_payment_accepted"})
        .context["cl"]
        .result_count
        == 1
    )
    assert client.get(LIST, {"q": paid.payment.transaction_id}).context["cl"].result_count == 4
    message = Message.objects.get(channel="sms", recipient__username="awa")
    detail = client.get(reverse("admin:cinetpay_message_change", args=[message.pk])).content.decode()
    assert "************07" in detail
    assert "+2250707070707" not in detail


def test_no_one_adds_edits_or_deletes_a_message(paid, admin_client):
    message = Message.objects.first()
    assert admin_client.get(reverse("admin:cinetpay_message_add")).status_code == 403
    assert admin_client.post(reverse("admin:cinetpay_message_delete", args=[message.pk])).status_code == 403
    admin_client.post(reverse("admin:cinetpay_message_change", args=[message.pk]), {"body": "changed"})
    message.refresh_from_db()
    assert message.body != "changed"


def test_send_again_needs_its_permission_and_is_logged(paid, agent, client, sms_outbox, committed):
    message = Message.objects.get(channel="sms", recipient__username="awa")
    Message.objects.filter(pk=message.pk).update(state=MessageState.FAILED, last_error="SmsError: down")
    client.force_login(agent)
    data = {"action": "send_again", "_selected_action": [message.pk]}
    client.post(LIST, data)
    message.refresh_from_db()
    assert message.state == MessageState.FAILED  # no permission: the action is not even offered

    agent.user_permissions.add(Permission.objects.get(codename="resend_message"))
    response = committed(lambda: client.post(LIST, data, follow=True))
    assert "1 failed message will be sent again." in response.content.decode()
    message.refresh_from_db()
    assert message.state == MessageState.SENT  # queued after commit; tasks run at once here
    assert [m.body for m in sms_outbox] == [message.body]
    assert LogEntry.objects.get(object_id=str(message.pk)).user == agent
