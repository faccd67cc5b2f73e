from django_cinetpay.adapter import DefaultAdapter, PayoutDestination

from .models import Wallet


class ShopAdapter(DefaultAdapter):
    def get_payout_destination(self, escrow):
        """Pay the seller on the number of their wallet; without one, the payout waits for staff."""
        seller = escrow.payment.seller
        wallet = Wallet.objects.filter(user=seller).first()
        if wallet is None:
            return None
        return PayoutDestination(
            prefix=wallet.phone_prefix,
            phone=wallet.phone,
            name=seller.last_name or seller.username,  # family name
            surname=seller.first_name or seller.username,  # given name
            email=seller.email,
        )
