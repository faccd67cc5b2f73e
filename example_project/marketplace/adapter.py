"""The marketplace's answers to django-cinetpay's customisation hooks (``CINETPAY_ADAPTER``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse

from django_cinetpay.adapter import DefaultAdapter, PayoutDestination

from .models import Profile, Purchase

if TYPE_CHECKING:
    from django.http import HttpRequest

    from django_cinetpay.models import CinetPayTransaction, EscrowTransaction


class MarketplaceAdapter(DefaultAdapter):
    def get_customer_initial(self, request: HttpRequest, transaction: CinetPayTransaction) -> dict[str, Any]:
        """The account's names and e-mail (the default), plus the buyer's mobile money number."""
        initial = super().get_customer_initial(request, transaction)
        profile = Profile.objects.filter(user=transaction.buyer).first()
        if profile and profile.phone:
            initial["customer_phone_number"] = profile.phone
        return initial

    def get_payout_destination(self, escrow: EscrowTransaction) -> PayoutDestination | None:
        """Sellers are paid on the mobile money number of their profile; none set, staff see why."""
        seller = escrow.payment.seller
        profile = Profile.objects.filter(user=seller).first()
        if profile is None or not (profile.phone_prefix and profile.phone):
            return None
        return PayoutDestination(
            prefix=profile.phone_prefix,
            phone=profile.phone,
            name=seller.last_name or seller.get_username(),
            surname=seller.first_name or seller.get_username(),
            email=seller.email,
        )

    def get_order_url(self, payment: CinetPayTransaction) -> str | None:
        """The purchase's page, with the buyer-seller chat: linked from the payment's admin page."""
        purchase = Purchase.objects.filter(payment=payment).only("pk").first()
        return reverse("marketplace:purchase", args=[purchase.pk]) if purchase else None
