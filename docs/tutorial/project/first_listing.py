from django.contrib.auth.models import User
from market.models import Listing, Wallet

koffi = User.objects.create_user(
    "koffi", password="koffi-tutorial", first_name="Koffi", last_name="Yao", email="koffi@example.com"
)
Wallet.objects.create(user=koffi, phone_prefix="225", phone="0505050505")
User.objects.create_user(
    "awa", password="awa-tutorial", first_name="Awa", last_name="Koné", email="awa@example.com"
)
Listing.objects.create(seller=koffi, title="Free Fire account, level 60", price=5000)
