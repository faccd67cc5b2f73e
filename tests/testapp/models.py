"""A host model standing for the 'order' a payment can point to (a listing in a marketplace)."""

from django.conf import settings
from django.db import models


class Listing(models.Model):
    title = models.CharField(max_length=100)
    price = models.PositiveIntegerField()
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    def __str__(self) -> str:
        return self.title
