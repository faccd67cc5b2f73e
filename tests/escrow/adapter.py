"""The host adapter the escrow tests use: sellers are paid on a fixed Côte d'Ivoire number."""

from __future__ import annotations

from django_cinetpay.adapter import DefaultAdapter, PayoutDestination
from django_cinetpay.models import EscrowTransaction

SELLER_PREFIX = "225"
SELLER_PHONE = "0505050505"


class SellerPhoneAdapter(DefaultAdapter):
    seller_prefix = SELLER_PREFIX
    seller_phone = SELLER_PHONE

    def get_payout_destination(self, escrow: EscrowTransaction) -> PayoutDestination | None:
        seller = escrow.payment.seller
        return PayoutDestination(
            prefix=self.seller_prefix,
            phone=self.seller_phone,
            name=seller.last_name,
            surname=seller.first_name,
            email=seller.email,
        )


class CameroonSellerAdapter(SellerPhoneAdapter):
    """Sellers are paid on a Cameroon number (+237), where CinetPay pays in XAF."""

    seller_prefix = "237"
    seller_phone = "671234567"  # a Cameroon mobile number


class SeveralPaymentsAdapter(SellerPhoneAdapter):
    """Orders that are paid several times on purpose (e.g. an item sold with stock)."""

    def one_payment_per_order(self, order: object) -> bool:
        return False
