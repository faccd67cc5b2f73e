"""Data and querysets. No HTTP here, and no status is written outside :mod:`django_cinetpay.services`."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .states import ActorKind, PaymentStatus
from .utils import mask_phone


def generate_transaction_id() -> str:
    """A fresh id for CinetPay: alphanumeric, 22 characters, time-ordered, unguessable.

    CinetPay wants ids unique forever; community advice keeps them alphanumeric and ≤ 25 characters.
    """
    return "CP" + timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3).upper()


class CinetPayTransactionQuerySet(models.QuerySet["CinetPayTransaction"]):
    def for_participant(self, user: object) -> CinetPayTransactionQuerySet:
        """Payments where ``user`` is the buyer or the seller."""
        return self.filter(models.Q(buyer=user) | models.Q(seller=user))

    def stale_pending(self, older_than: timezone.timedelta) -> CinetPayTransactionQuerySet:
        """Payments whose checkout started more than ``older_than`` ago and that have no final status.

        A ``created`` payment whose init timed out is included: CinetPay may have created it anyway.
        """
        return self.filter(
            status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING],
            checkout_started_at__lte=timezone.now() - older_than,
        )


class CinetPayTransaction(models.Model):
    """One payment through CinetPay's checkout."""

    transaction_id = models.CharField(
        _("transaction id"), max_length=25, unique=True, default=generate_transaction_id, editable=False
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cinetpay_purchases",
        verbose_name=_("buyer"),
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cinetpay_sales",
        verbose_name=_("seller"),
    )
    order_content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    order_object_id = models.CharField(max_length=64, blank=True)
    order = GenericForeignKey("order_content_type", "order_object_id")

    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=255)
    channels = models.CharField(_("channels"), max_length=64, default="ALL")
    lang = models.CharField(_("language"), max_length=2, default="fr")
    metadata = models.CharField(_("metadata"), max_length=255, blank=True)
    commission_rate = models.DecimalField(
        _("commission rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Overrides CINETPAY_COMMISSION_RATE for this payment."),
    )

    customer_name = models.CharField(_("family name"), max_length=100, blank=True)
    customer_surname = models.CharField(_("given name"), max_length=100, blank=True)
    customer_email = models.EmailField(_("e-mail"), blank=True)
    customer_phone_number = models.CharField(_("phone number"), max_length=20, blank=True)
    customer_address = models.CharField(_("address"), max_length=255, blank=True)
    customer_city = models.CharField(_("city"), max_length=100, blank=True)
    customer_country = models.CharField(_("country"), max_length=2, blank=True)
    customer_state = models.CharField(_("state"), max_length=100, blank=True)
    customer_zip_code = models.CharField(_("zip code"), max_length=20, blank=True)

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.CREATED,
        editable=False,
    )
    payment_token = models.CharField(_("payment token"), max_length=255, blank=True, editable=False)
    payment_url = models.URLField(_("payment URL"), max_length=500, blank=True, editable=False)
    cinetpay_code = models.CharField(_("CinetPay code"), max_length=16, blank=True, editable=False)
    cinetpay_message = models.CharField(_("CinetPay message"), max_length=255, blank=True, editable=False)
    payment_method = models.CharField(_("payment method"), max_length=32, blank=True, editable=False)
    operator_id = models.CharField(_("operator id"), max_length=100, blank=True, editable=False)
    payer_phone = models.CharField(_("payer phone"), max_length=20, blank=True, editable=False)
    payer_phone_prefix = models.CharField(_("payer phone prefix"), max_length=5, blank=True, editable=False)
    needs_review = models.BooleanField(_("needs review"), default=False, editable=False)
    review_reason = models.TextField(_("review reason"), blank=True, editable=False)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, editable=False)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    checkout_started_at = models.DateTimeField(_("checkout started"), null=True, blank=True, editable=False)

    objects = CinetPayTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("CinetPay payment")
        verbose_name_plural = _("CinetPay payments")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cinetpay_payment_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("seller")), name="cinetpay_payment_buyer_is_not_seller"
            ),
        ]
        permissions = [("recheck_cinetpaytransaction", _("Can re-check a payment with CinetPay"))]

    def __str__(self) -> str:
        return self.transaction_id

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.ACCEPTED

    @property
    def masked_payer_phone(self) -> str:
        return mask_phone(self.payer_phone)

    @property
    def masked_customer_phone(self) -> str:
        return mask_phone(self.customer_phone_number)


class NotificationKind(models.TextChoices):
    PAYMENT = "payment", _("Payment notification")
    TRANSFER = "transfer", _("Transfer notification")


class CinetPayNotification(models.Model):
    """Every request CinetPay (or anyone) sent to a notification URL, stored *before* it is trusted.

    Kept with its outcome and traceback when processing fails, so staff can see and reprocess it.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    method = models.CharField(_("HTTP method"), max_length=8)
    headers = models.JSONField(_("headers"), default=dict)
    body = models.TextField(_("body"), blank=True)
    form = models.JSONField(
        _("form fields"),
        default=list,
        blank=True,
        help_text=_("The POSTed fields as [name, value] pairs, in arrival order."),
    )
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The transaction id the notification names."),
    )
    transaction = models.ForeignKey(
        CinetPayTransaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    valid = models.BooleanField(_("signature valid"), null=True)
    processed = models.BooleanField(_("processed"), default=False)
    result = models.CharField(_("result"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("CinetPay notification")
        verbose_name_plural = _("CinetPay notifications")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference or '-'} ({self.received_at:%Y-%m-%d %H:%M:%S})"


class StateChange(models.Model):
    """Audit trail: one row per state change of a payment, escrow or payout."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("from"), max_length=16)
    to_status = models.CharField(_("to"), max_length=16)
    actor_kind = models.CharField(_("actor"), max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor detail"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.actor_kind})"
