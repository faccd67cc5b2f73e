"""What staff read: amounts with their currency in the staff's language, methods and statuses by their
names, masked phone numbers, and links between a payment, its escrow, its payouts, its notifications,
the buyer, the seller and the order."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse

from django_cinetpay import services
from django_cinetpay.adapter import DefaultAdapter
from django_cinetpay.admin import CinetPayTransactionAdmin
from django_cinetpay.models import CinetPayNotification, CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus
from tests.payments.conftest import notification_fields, post_notification
from tests.testapp.models import Listing

pytestmark = pytest.mark.django_db

PAYMENTS = reverse("admin:cinetpay_cinetpaytransaction_changelist")


def change(obj: Any) -> str:
    app = obj._meta.app_label
    return reverse(f"admin:{app}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def resolved(client: Any, disputed: EscrowTransaction, staff: Any, api: Any) -> EscrowTransaction:
    """A disputed escrow refunded by staff, with a stored notification about its payment."""
    post_notification(client, notification_fields(disputed.payment))
    return services.resolve_dispute(disputed, staff, EscrowStatus.REFUNDED, "remboursé")


def test_the_list_speaks_french_to_french_staff(client, admin_user, escrow):
    CinetPayTransaction.objects.filter(pk=escrow.payment_id).update(payment_method="OM", amount=15_000)
    client.force_login(admin_user)
    page = client.get(PAYMENTS, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "15\xa0000\xa0XOF" in page
    assert "Orange Money" in page
    assert "Accepté" in page
    assert ">OM<" not in page


def test_the_list_in_english(client, admin_user, escrow):
    CinetPayTransaction.objects.filter(pk=escrow.payment_id).update(
        payment_method="MOMO", payer_phone="0707070707"
    )
    client.force_login(admin_user)
    page = client.get(PAYMENTS).content.decode()
    assert "10,000\xa0XOF" in page
    assert "MTN Mobile Money" in page
    assert "awa → koffi" in page
    assert "********07" in page
    assert "0707070707" not in page


def test_only_payments_to_review_say_so(client, admin_user, escrow, payment):
    CinetPayTransaction.objects.filter(pk=payment.pk).update(needs_review=True)
    client.force_login(admin_user)
    assert client.get(PAYMENTS).content.decode().count("to review") == 1


def test_the_payment_page_links_everything_it_touches(client, admin_user, resolved, buyer, seller):
    payment = resolved.payment
    payout = PayoutRequest.objects.get()
    notification = CinetPayNotification.objects.get()
    client.force_login(admin_user)
    page = client.get(change(payment)).content.decode()
    for linked in (resolved, payout, notification, buyer, seller):
        assert f'href="{change(linked)}"' in page, linked
    assert "Refunded to the buyer, 10,000\xa0XOF" in page
    assert "(Buyer refund, Pending, 10,000\xa0XOF)" in page
    assert "0707070707" not in page


def test_the_escrow_page_links_the_payment_the_people_and_the_payouts(
    client, admin_user, resolved, buyer, seller
):
    client.force_login(admin_user)
    page = client.get(change(resolved)).content.decode()
    for linked in (resolved.payment, PayoutRequest.objects.get(), buyer, seller):
        assert f'href="{change(linked)}"' in page, linked
    assert "9,500\xa0XOF" in page  # the seller's share
    assert "Le compte ne marche pas" in page  # the dispute's reason
    assert "remboursé" in page  # the resolution note


def test_the_payout_page_says_where_it_stands_in_words(client, admin_user, resolved, buyer):
    payout = PayoutRequest.objects.get()
    PayoutRequest.objects.filter(pk=payout.pk).update(phone="", prefix="", last_error="Implement get_refund…")
    client.force_login(admin_user)
    page = client.get(change(payout)).content.decode()
    assert "Waiting for a destination: nothing is sent until one is set" in page
    assert f'href="{change(resolved.payment)}"' in page
    assert f'href="{change(buyer)}"' in page


def test_a_retried_payout_links_its_retry(client, admin_user, resolved, staff, transfer_api):
    failed = PayoutRequest.objects.get()
    services.process_payout(failed)
    transfer_api.settle(failed.client_transaction_id, "REJ")
    services.refresh_payout(failed)
    retry = services.retry_payout(failed, staff, reason="nouvel essai")
    client.force_login(admin_user)
    assert f'Retried by <a href="{change(retry)}">' in client.get(change(failed)).content.decode()
    assert f'Retry of <a href="{change(failed)}">' in client.get(change(retry)).content.decode()


def test_an_order_the_admin_does_not_show_is_named(client, admin_user, buyer, seller):
    listing = Listing.objects.create(title="Compte", price=5000, seller=seller)
    payment = services.create_payment(
        buyer=buyer, seller=seller, amount=5000, currency="XOF", description="Compte", order=listing
    )
    client.force_login(admin_user)
    assert f"Listing #{listing.pk}" in client.get(change(payment)).content.decode()


# --- an admin site that shows the host's orders ----------------------------------------------------------

site = AdminSite(name="ops")
site.register(Listing)
site.register(CinetPayTransaction, CinetPayTransactionAdmin)
urlpatterns = [path("ops/", site.urls)]


@pytest.mark.urls(__name__)
def test_an_order_the_admin_shows_is_linked(client, admin_user, buyer, seller):
    listing = Listing.objects.create(title="Compte", price=5000, seller=seller)
    payment = services.create_payment(
        buyer=buyer, seller=seller, amount=5000, currency="XOF", description="Compte", order=listing
    )
    client.force_login(admin_user)
    page = client.get(reverse("ops:cinetpay_cinetpaytransaction_change", args=[payment.pk])).content.decode()
    assert f'<a href="/ops/testapp/listing/{listing.pk}/change/">Listing #{listing.pk}</a>' in page
    assert ContentType.objects.get_for_model(Listing).pk == payment.order_content_type_id
    assert admin.site.is_registered(Listing) is False


class OrderPageAdapter(DefaultAdapter):
    def get_order_url(self, payment: CinetPayTransaction) -> str | None:
        return f"/listings/{payment.order_object_id}/chat/" if payment.order_object_id else None


def test_the_adapter_links_the_hosts_own_page_of_the_order(client, admin_user, buyer, seller, settings):
    listing = Listing.objects.create(title="Compte", price=5000, seller=seller)
    payment = services.create_payment(
        buyer=buyer, seller=seller, amount=5000, currency="XOF", description="Compte", order=listing
    )
    client.force_login(admin_user)
    assert "Open the order" not in client.get(change(payment)).content.decode()  # the default: no page
    settings.CINETPAY_ADAPTER = f"{__name__}.OrderPageAdapter"
    page = client.get(change(payment)).content.decode()
    assert f'<a href="/listings/{listing.pk}/chat/">Open the order&#x27;s page</a>' in page
