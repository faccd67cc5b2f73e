"""The payout admin: checking never sends, sending is its own permission, and staff allowed to retry payouts
set a pending payout's destination from a form, validated and audited."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from django_cinetpay import services
from django_cinetpay.models import PayoutRequest
from django_cinetpay.states import PayoutStatus

pytestmark = pytest.mark.django_db
PAYOUTS = reverse("admin:cinetpay_payoutrequest_changelist")


def staff_with(django_user_model, username: str, *codenames: str):  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_payoutrequest", *codenames]))
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def viewer(django_user_model):  # type: ignore[no-untyped-def]
    return staff_with(django_user_model, "lecteur")


@pytest.fixture
def checker(django_user_model):  # type: ignore[no-untyped-def]
    """May check and retry payouts, and set their destination; may not send."""
    return staff_with(django_user_model, "controleur", "retry_payoutrequest")


@pytest.fixture
def sender(django_user_model):  # type: ignore[no-untyped-def]
    return staff_with(django_user_model, "tresorier", "send_payoutrequest")


@pytest.fixture
def refund(escrow, staff) -> PayoutRequest:  # type: ignore[no-untyped-def]
    """A pending refund to the number that paid (0707070707, +225)."""
    services.refund_escrow(escrow, staff, "annulé")
    return PayoutRequest.objects.get(escrow=escrow)


def act(client, action: str, payout: PayoutRequest):  # type: ignore[no-untyped-def]
    return client.post(PAYOUTS, {"action": action, ACTION_CHECKBOX_NAME: [payout.pk]})


def destination_url(payout: PayoutRequest) -> str:
    return reverse("admin:cinetpay_payoutrequest_destination", args=[payout.pk])


# --- check and send --------------------------------------------------------------------------------------


def test_checking_a_pending_payout_never_sends_it(client, checker, refund, transfer_api):
    client.force_login(checker)
    response = act(client, "check_now", refund)
    assert response.status_code == 302
    assert (transfer_api.checks, transfer_api.contacts, transfer_api.sends) == (1, set(), [])
    assert PayoutRequest.objects.get(pk=refund.pk).status == PayoutStatus.PENDING


def test_sending_needs_its_own_permission(client, checker, sender, refund, transfer_api):
    client.force_login(checker)
    assert "send_now" not in client.get(PAYOUTS).content.decode()
    act(client, "send_now", refund)
    assert transfer_api.sends == []
    client.force_login(sender)
    assert "send_now" in client.get(PAYOUTS).content.decode()
    act(client, "send_now", refund)
    assert [s["client_transaction_id"] for s in transfer_api.sends] == [refund.client_transaction_id]
    assert PayoutRequest.objects.get(pk=refund.pk).status == PayoutStatus.SUBMITTED
    assert services.history(refund).last().actor_user == sender


# --- setting a destination ---------------------------------------------------------------------------------


def test_the_payout_page_links_to_the_form_for_those_allowed(client, viewer, checker, refund):
    change = reverse("admin:cinetpay_payoutrequest_change", args=[refund.pk])
    client.force_login(checker)
    assert destination_url(refund) in client.get(change).content.decode()
    client.force_login(viewer)
    assert destination_url(refund) not in client.get(change).content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_without_the_permission_get_403(client, viewer, refund, method):
    client.force_login(viewer)
    response = getattr(client, method)(destination_url(refund), {"country": "CI", "phone": "0505050505"})
    assert response.status_code == 403
    assert PayoutRequest.objects.get(pk=refund.pk).phone == "0707070707"


FORM = {"country": "CI", "name": "Koné", "surname": "Awa", "email": "awa@example.com"}


@pytest.mark.parametrize(
    ("phone", "error"),
    [
        ("1 2 3 4 5", "Enter a mobile number from Côte d&#x27;Ivoire, e.g. 01 23 45 6789."),
        ("+221 70 123 45 67", "Enter a mobile number from Côte d&#x27;Ivoire"),  # not the country chosen
    ],
)
def test_an_invalid_number_is_a_form_error_and_changes_nothing(client, checker, refund, phone, error):
    client.force_login(checker)
    response = client.post(destination_url(refund), {**FORM, "phone": phone})
    assert response.status_code == 200
    assert error in response.content.decode()
    payout = PayoutRequest.objects.get(pk=refund.pk)
    assert (payout.prefix, payout.phone) == ("225", "0707070707")
    assert services.history(payout).count() == 1  # created, nothing since


def refund_in(currency: str, escrow, staff) -> PayoutRequest:  # type: ignore[no-untyped-def]
    PayoutRequest.objects.all().delete()
    type(escrow).objects.filter(pk=escrow.pk).update(currency=currency)
    services.refund_escrow(type(escrow).objects.get(pk=escrow.pk), staff, "annulé")
    return PayoutRequest.objects.get()


def test_only_the_countries_of_the_payouts_currency_are_offered(client, checker, escrow, staff):
    payout = refund_in("XAF", escrow, staff)
    client.force_login(checker)
    page = client.get(destination_url(payout)).content.decode()
    assert 'value="CM"' in page
    assert 'value="CI"' not in page
    response = client.post(destination_url(payout), {**FORM, "country": "CM", "phone": "6 71 23 45 67"})
    assert response.status_code == 302
    assert PayoutRequest.objects.get(pk=payout.pk).phone == "671234567"


def test_a_refusal_of_the_service_is_a_form_error_not_a_500(client, checker, escrow, staff):
    """USD is paid in RD Congo, which pays transfers in CDF too: never sent automatically."""
    payout = refund_in("USD", escrow, staff)
    client.force_login(checker)
    response = client.post(destination_url(payout), {**FORM, "country": "CD", "phone": "0991 234 567"})
    assert response.status_code == 200
    assert "never sent automatically" in response.content.decode()
    assert PayoutRequest.objects.get(pk=payout.pk).phone == "0707070707"


def test_a_valid_number_is_stored_normalised_and_audited(client, checker, escrow, staff):
    PayoutRequest.objects.all().delete()
    type(escrow.payment).objects.filter(pk=escrow.payment_id).update(payer_phone="")
    services.refund_escrow(escrow, staff, "annulé")
    payout = PayoutRequest.objects.get()
    assert not payout.has_destination
    client.force_login(checker)
    response = client.post(destination_url(payout), {**FORM, "phone": "+225 05.05.05.05.05"})
    assert response.status_code == 302
    assert response.url == reverse("admin:cinetpay_payoutrequest_change", args=[payout.pk])
    payout.refresh_from_db()
    assert (payout.prefix, payout.phone, payout.name, payout.surname, payout.email, payout.last_error) == (
        "225",
        "0505050505",
        "Koné",
        "Awa",
        "awa@example.com",
        "",
    )
    change = services.history(payout).last()
    assert (change.actor_user, change.reason) == (checker, "destination set to 225 ********05 (was none)")
    assert any("destination is set" in str(m) for m in response.wsgi_request._messages)


def test_only_a_pending_payout_gets_a_destination(client, checker, refund):
    PayoutRequest.objects.filter(pk=refund.pk).update(status=PayoutStatus.SUBMITTED)
    client.force_login(checker)
    change = reverse("admin:cinetpay_payoutrequest_change", args=[refund.pk])
    assert destination_url(refund) not in client.get(change).content.decode()
    response = client.post(destination_url(refund), {**FORM, "phone": "0505050505"})
    assert response.status_code == 302
    assert response.url == change
    assert PayoutRequest.objects.get(pk=refund.pk).phone == "0707070707"
    assert [str(m) for m in response.wsgi_request._messages] == [
        "“Set destination” is not possible while the status is “Submitted to CinetPay”."
    ]


def test_an_unknown_payout_is_404(client, checker):
    client.force_login(checker)
    assert client.get(reverse("admin:cinetpay_payoutrequest_destination", args=[999999])).status_code == 404
