"""Escrow and payout admin: read-only rows, audited actions behind their permissions, notes required."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus, PayoutKind, PayoutStatus

pytestmark = pytest.mark.django_db
ESCROWS = "admin:cinetpay_escrowtransaction_changelist"
PAYOUTS = "admin:cinetpay_payoutrequest_changelist"


@pytest.fixture
def viewer(django_user_model):  # type: ignore[no-untyped-def]
    """Staff who may look but not act."""
    user = django_user_model.objects.create_user("lecteur", "l@example.com", "pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_escrowtransaction", "view_payoutrequest"])
    )
    return user


@pytest.fixture
def arbiter(staff, viewer):  # type: ignore[no-untyped-def]
    """Staff who may see escrows and payouts, resolve escrows and retry payouts."""
    staff.user_permissions.add(*viewer.user_permissions.all())
    return type(staff).objects.get(pk=staff.pk)


@pytest.fixture
def disputed(escrow, buyer):  # type: ignore[no-untyped-def]
    return services.open_dispute(escrow, buyer, "Le compte ne marche pas")


def act(client, changelist, action, obj, note=None):  # type: ignore[no-untyped-def]
    data = {"action": action, ACTION_CHECKBOX_NAME: [obj.pk]}
    if note is not None:
        data |= {"apply": "1", "note": note}
    return client.post(reverse(changelist), data)


def test_escrows_are_listed_read_only(client, admin_user, escrow):
    client.force_login(admin_user)
    assert escrow.payment.transaction_id in client.get(reverse(ESCROWS)).content.decode()
    change = reverse("admin:cinetpay_escrowtransaction_change", args=[escrow.pk])
    client.post(change, {"status": "released", "seller_amount": 1})
    escrow.refresh_from_db()
    assert (escrow.status, escrow.seller_amount) == (EscrowStatus.HELD, 9500)


def test_resolving_asks_for_a_note_first(client, arbiter, disputed):
    client.force_login(arbiter)
    page = act(client, ESCROWS, "refund_dispute", disputed)
    assert page.status_code == 200
    assert 'name="note"' in page.content.decode()
    assert EscrowTransaction.objects.get(pk=disputed.pk).status == EscrowStatus.DISPUTED


@pytest.mark.parametrize(
    ("action", "expected", "kind"),
    [
        ("refund_dispute", EscrowStatus.REFUNDED, PayoutKind.REFUND),
        ("release_dispute", EscrowStatus.RELEASED, PayoutKind.SELLER_PAYOUT),
    ],
)
def test_arbiter_resolve_a_dispute_with_an_audited_note(client, arbiter, disputed, action, expected, kind):
    client.force_login(arbiter)
    act(client, ESCROWS, action, disputed, note="Vérifié avec les deux parties")
    escrow = EscrowTransaction.objects.get(pk=disputed.pk)
    assert escrow.status == expected
    assert escrow.resolution_note == "Vérifié avec les deux parties"
    assert PayoutRequest.objects.get(escrow=escrow).kind == kind
    change = services.history(escrow).last()
    assert (change.actor_kind, change.actor_user, change.to_status) == ("admin", arbiter, expected)


def test_actions_need_the_permission(client, viewer, disputed):
    client.force_login(viewer)
    act(client, ESCROWS, "refund_dispute", disputed, note="non")
    assert EscrowTransaction.objects.get(pk=disputed.pk).status == EscrowStatus.DISPUTED
    assert "refund_dispute" not in client.get(reverse(ESCROWS)).content.decode()


def test_a_refused_action_is_a_message_not_a_500(client, arbiter, escrow):
    client.force_login(arbiter)
    response = act(client, ESCROWS, "release_dispute", escrow, note="pas de litige")  # held, not disputed
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == [
        f"{escrow}: “Resolve the dispute: pay the seller” is not possible while the status is “Held”."
    ]
    assert EscrowTransaction.objects.get(pk=escrow.pk).status == EscrowStatus.HELD


def test_payouts_show_masked_phones_and_retry_failed_ones(client, arbiter, disputed, transfer_api):
    services.resolve_dispute(disputed, arbiter, EscrowStatus.REFUNDED, "remboursé")
    payout = PayoutRequest.objects.get(escrow=disputed)
    PayoutRequest.objects.filter(pk=payout.pk).update(status=PayoutStatus.FAILED)
    client.force_login(arbiter)
    page = client.get(reverse(PAYOUTS)).content.decode()
    assert "********07" in page
    assert "0707070707" not in page
    act(client, PAYOUTS, "retry", payout, note="solde rechargé")
    retry = PayoutRequest.objects.get(retry_of=payout)
    assert (retry.status, retry.amount) == (PayoutStatus.PENDING, payout.amount)
    assert services.history(retry).last().actor_user == arbiter


def test_a_retry_cinetpay_may_have_paid_already_is_refused_with_the_reason(
    client, arbiter, disputed, transfer_api
):
    services.resolve_dispute(disputed, arbiter, EscrowStatus.REFUNDED, "remboursé")
    payout = PayoutRequest.objects.get(escrow=disputed)
    services.process_payout(payout)  # CinetPay holds the transfer (NEW) …
    PayoutRequest.objects.filter(pk=payout.pk).update(status=PayoutStatus.FAILED)  # … the books say failed
    client.force_login(arbiter)
    response = act(client, PAYOUTS, "retry", payout, note="nouvel essai")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Not retried: CinetPay holds a transfer for this payout" in m for m in messages), messages
    assert not PayoutRequest.objects.filter(retry_of=payout).exists()
    assert PayoutRequest.objects.get(pk=payout.pk).needs_review
