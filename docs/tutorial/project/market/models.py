from django.conf import settings
from django.db import models


class Listing(models.Model):
    """Something a seller sells, priced in XOF (CinetPay takes whole amounts, multiples of 5)."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(max_length=100)
    price = models.PositiveIntegerField()
    sold = models.BooleanField(default=False)

    def __str__(self):
        return self.title


class Wallet(models.Model):
    """The mobile money number a seller is paid on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    phone_prefix = models.CharField(max_length=4, default="225")  # the country's calling code
    phone = models.CharField(max_length=20)

    def __str__(self):
        return f"{self.user} (+{self.phone_prefix})"
