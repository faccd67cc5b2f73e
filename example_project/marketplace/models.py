"""The game marketplace: games, listings of accounts and items, purchases, and the buyer-seller chat.

Payment, escrow and payout states belong to django-cinetpay; a :class:`Purchase` only points at its
``CinetPayTransaction`` and reads them, so the marketplace never writes a money status itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.states import PayoutKind


class Game(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)
    platform = models.CharField(_("platform"), max_length=50, blank=True)
    #: The tile colour of the game on the pages (no images: nothing loads from outside the site).
    color = models.CharField(_("colour"), max_length=7, default="#4f46e5")

    class Meta:
        verbose_name = _("game")
        verbose_name_plural = _("games")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """A player's mobile money number: pre-fills their payment form and is where they are paid as a seller."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    phone_prefix = models.CharField(
        _("country calling code"), max_length=5, blank=True, help_text=_("Without +, e.g. 225.")
    )
    phone = models.CharField(_("mobile money number"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class ListingQuerySet(models.QuerySet["Listing"]):
    def available(self) -> ListingQuerySet:
        return self.filter(status=Listing.Status.AVAILABLE)


class Listing(models.Model):
    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Game account")
        ITEM = "item", _("In-game item")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("For sale")
        SOLD = "sold", _("Sold")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="listings", verbose_name=_("game"))
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings", verbose_name=_("seller")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACCOUNT)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    price = models.PositiveIntegerField(_("price"), help_text=_("In the currency's unit; a multiple of 5."))
    currency = models.CharField(_("currency"), max_length=3, default="XOF")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("marketplace:listing", kwargs={"pk": self.pk})


class PurchaseQuerySet(models.QuerySet["Purchase"]):
    def for_user(self, user: object) -> PurchaseQuerySet:
        """Purchases where ``user`` is the buyer or the seller."""
        return self.filter(models.Q(buyer=user) | models.Q(listing__seller=user))


class Purchase(models.Model):
    """One attempt by a buyer to buy a listing, with its CinetPay payment and its chat."""

    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("listing")
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("buyer")
    )
    payment = models.OneToOneField(
        CinetPayTransaction, on_delete=models.PROTECT, related_name="purchase", verbose_name=_("payment")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    #: When each side last looked at the chat: messages after that are unread notifications.
    buyer_read_at = models.DateTimeField(null=True, blank=True, editable=False)
    seller_read_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.listing} ({self.payment.transaction_id})"

    def get_absolute_url(self) -> str:
        return reverse("marketplace:purchase", kwargs={"pk": self.pk})

    @property
    def escrow(self) -> EscrowTransaction | None:
        """The money held for this purchase, once the payment is accepted."""
        try:
            return self.payment.escrow
        except EscrowTransaction.DoesNotExist:
            return None

    def current_payout(self, kind: str = PayoutKind.SELLER_PAYOUT) -> PayoutRequest | None:
        """The payout (or refund, with ``kind``) that counts: the latest, after any staff retry."""
        escrow = self.escrow
        if escrow is None:
            return None
        return escrow.payouts.current().filter(kind=kind).order_by("-created_at").first()

    def is_participant(self, user: object) -> bool:
        pk = getattr(user, "pk", None)
        return pk is not None and pk in (self.buyer_id, self.listing.seller_id)


class Message(models.Model):
    """A chat line of a purchase: written by the buyer or the seller, or posted by the site on an event.

    Site messages store an ``event`` rather than text, so each reader sees them in their own language.
    """

    class Event(models.TextChoices):
        PAID = "paid", _("Payment received")
        DELIVERED = "delivered", _("Delivered by the seller")
        DUPLICATE = "duplicate", _("Listing already paid: payment refunded")
        DISPUTED = "disputed", _("Dispute opened")
        RELEASED = "released", _("Money released")
        REFUNDED = "refunded", _("Refund")
        PAYOUT_COMPLETED = "payout_completed", _("Transfer completed")
        PAYOUT_FAILED = "payout_failed", _("Transfer failed")

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event = models.CharField(max_length=20, choices=Event.choices, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author__isnull=False, event="")
                | (models.Q(author__isnull=True) & ~models.Q(event="")),
                name="marketplace_message_author_or_event",
            )
        ]

    def __str__(self) -> str:
        return self.event or self.body[:50]
