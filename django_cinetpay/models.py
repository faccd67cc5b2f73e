"""Data and querysets. No HTTP here, and no status is written outside :mod:`django_cinetpay.services`.

Over 400 lines on purpose: the four money records (payment, escrow, payout, audit), the notification log
and the messages sent to buyers and sellers are read together (their constraints refer to each other), and
Django looks for them here.
"""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .states import ActorKind, Backend, EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus
from .utils import mask_phone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def generate_transaction_id() -> str:
    """A fresh id for CinetPay: alphanumeric, 25 characters, time-ordered, unguessable.

    Nine random hex characters after the second: a release batch creating thousands of payouts in one
    second must not collide on this unique id (six were not enough under load).

    CinetPay wants ids unique forever; community advice keeps them alphanumeric and ≤ 25 characters.
    """
    return "CP" + timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(5).upper()[:9]


def backend_field(help_text: StrOrPromise) -> models.CharField[str, str]:
    """The column recording which of CinetPay's APIs a row goes through (see :class:`~.states.Backend`)."""
    return models.CharField(
        _("CinetPay API"),
        max_length=16,
        choices=Backend.choices,
        default=Backend.CHECKOUT_V2,
        editable=False,
        help_text=help_text,
    )


class CinetPayTransactionQuerySet(models.QuerySet["CinetPayTransaction"]):
    def for_participant(self, user: object) -> CinetPayTransactionQuerySet:
        """Payments where ``user`` is the buyer or the seller."""
        return self.filter(models.Q(buyer=user) | models.Q(seller=user))


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
    backend = backend_field(_("The API this payment was started on; it is confirmed through the same one."))
    payment_token = models.CharField(_("payment token"), max_length=255, blank=True, editable=False)
    # CinetPay API only: the token its notifications for this payment must carry (given at initialisation).
    notify_token = models.CharField(_("notification token"), max_length=255, blank=True, editable=False)
    payment_url = models.URLField(_("payment URL"), max_length=500, blank=True, editable=False)
    cinetpay_code = models.CharField(_("CinetPay code"), max_length=16, blank=True, editable=False)
    cinetpay_message = models.CharField(_("CinetPay message"), max_length=255, blank=True, editable=False)
    payment_method = models.CharField(_("payment method"), max_length=32, blank=True, editable=False)
    operator_id = models.CharField(_("operator id"), max_length=100, blank=True, editable=False)
    payer_phone = models.CharField(_("payer phone"), max_length=20, blank=True, editable=False)
    payer_phone_prefix = models.CharField(_("payer phone prefix"), max_length=5, blank=True, editable=False)
    needs_review = models.BooleanField(_("needs review"), default=False, editable=False)
    review_reason = models.TextField(_("review reason"), blank=True, editable=False)
    order_exclusive = models.BooleanField(
        _("one payment per order"),
        default=True,
        editable=False,
        help_text=_(
            "At most one accepted payment of this order reaches the seller; a later one is a duplicate "
            "and goes back to its payer."
        ),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        editable=False,
        verbose_name=_("duplicate of"),
        help_text=_("The payment that had already paid this order when CinetPay accepted this one."),
    )

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
        # The admin's list (newest first, each filter, each search) reads an index at any table size; see
        # django_cinetpay.changelists. ``id`` follows ``created_at``: the list adds it as tie-breaker.
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["order_content_type", "order_object_id"], name="cinetpay_payment_order"),
            models.Index(fields=["created_at", "id"], name="cinetpay_payment_created"),
            models.Index(fields=["currency", "created_at"], name="cinetpay_payment_currency"),
            models.Index(fields=["payment_method", "created_at"], name="cinetpay_payment_method"),
            models.Index(fields=["operator_id"], name="cinetpay_payment_operator_id"),
            # The admin's search by the number that paid (exact match on the national number).
            models.Index(fields=["payer_phone"], name="cinetpay_payment_payer_phone"),
            # Few payments need review: a partial index stays small and serves that filter alone.
            models.Index(
                fields=["created_at"], condition=models.Q(needs_review=True), name="cinetpay_payment_review"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cinetpay_payment_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(buyer=models.F("seller")), name="cinetpay_payment_buyer_is_not_seller"
            ),
            # One order, one payment: the database itself refuses a second accepted payment of an order
            # that is not marked as a duplicate (the service marks it and refunds it).
            models.UniqueConstraint(
                fields=["order_content_type", "order_object_id"],
                condition=models.Q(
                    status=PaymentStatus.ACCEPTED, order_exclusive=True, duplicate_of__isnull=True
                )
                & ~models.Q(order_object_id=""),
                name="cinetpay_one_accepted_payment_per_order",
            ),
        ]
        permissions = [("recheck_cinetpaytransaction", _("Can re-check a payment with CinetPay"))]

    def __str__(self) -> str:
        return self.transaction_id

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.ACCEPTED

    @property
    def is_duplicate(self) -> bool:
        """Accepted by CinetPay for an order another payment had already paid: its money goes back."""
        return self.duplicate_of_id is not None

    @property
    def masked_payer_phone(self) -> str:
        return mask_phone(self.payer_phone)

    @property
    def masked_customer_phone(self) -> str:
        return mask_phone(self.customer_phone_number)


class NotificationKind(models.TextChoices):
    PAYMENT = "payment", _("Payment notification")
    TRANSFER = "transfer", _("Transfer notification")
    #: CinetPay API (``CINETPAY_BACKEND = "api"``): one URL for payments and transfers, a JSON body.
    API = "api", _("CinetPay API notification")


class Report(CinetPayTransaction):
    """No table of its own: the admin's entry for the staff dashboard (reports, statistics, health).

    A proxy so that the dashboard appears in the admin index beside the records it sums up, behind its own
    permission (``cinetpay.view_reports``) rather than the right to see every payment.
    """

    class Meta:
        proxy = True
        default_permissions = ()
        permissions = [("view_reports", _("Can view CinetPay reports, statistics and health"))]
        verbose_name = _("report and statistics")
        verbose_name_plural = _("reports and statistics")


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
        # For the admin's list: newest first, by kind, and the rare rows staff look for (not processed,
        # so to be processed again; a signature that failed).
        indexes = [
            models.Index(fields=["received_at", "id"], name="cinetpay_notif_received"),
            models.Index(fields=["kind", "received_at"], name="cinetpay_notif_kind"),
            models.Index(
                fields=["received_at"], condition=models.Q(processed=False), name="cinetpay_notif_unprocessed"
            ),
            models.Index(
                fields=["received_at"], condition=models.Q(valid=False), name="cinetpay_notif_invalid"
            ),
        ]

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


class EscrowTransactionQuerySet(models.QuerySet["EscrowTransaction"]):
    def due_for_release(self, now: datetime.datetime) -> EscrowTransactionQuerySet:
        """Confirmed escrows whose security period is over."""
        return self.filter(status=EscrowStatus.CONFIRMED, release_due_at__lte=now)

    def due_for_auto_confirm(self, held_since: datetime.datetime) -> EscrowTransactionQuerySet:
        """Held escrows created before ``held_since`` (the buyer never answered)."""
        return self.filter(status=EscrowStatus.HELD, created_at__lte=held_since)


class EscrowTransaction(models.Model):
    """The money of one accepted payment, held until the buyer confirms receipt or staff decide.

    ``amount == commission + seller_amount`` always (a database constraint); ``seller_amount`` is a multiple
    of 5 because CinetPay only moves multiples of 5, and the rounding remainder is commission.
    """

    payment = models.OneToOneField(
        CinetPayTransaction, on_delete=models.PROTECT, related_name="escrow", verbose_name=_("payment")
    )
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    commission_rate = models.DecimalField(_("commission rate"), max_digits=5, decimal_places=4)
    commission = models.PositiveBigIntegerField(_("commission"))
    seller_amount = models.PositiveBigIntegerField(_("seller amount"))
    status = models.CharField(
        _("status"), max_length=16, choices=EscrowStatus.choices, default=EscrowStatus.HELD, editable=False
    )
    confirmed_at = models.DateTimeField(_("receipt confirmed"), null=True, blank=True, editable=False)
    release_due_at = models.DateTimeField(
        _("release due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("End of the security period: released then unless disputed."),
    )
    disputed_at = models.DateTimeField(_("disputed"), null=True, blank=True, editable=False)
    dispute_reason = models.TextField(_("dispute reason"), blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    resolution_note = models.TextField(_("resolution note"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EscrowTransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("escrow")
        verbose_name_plural = _("escrows")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "release_due_at"]),
            # For the admin's list: newest first, and by each filter.
            models.Index(fields=["created_at", "id"], name="cinetpay_escrow_created"),
            models.Index(fields=["status", "created_at"], name="cinetpay_escrow_status"),
            models.Index(fields=["currency", "created_at"], name="cinetpay_escrow_currency"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount=models.F("commission") + models.F("seller_amount")),
                name="cinetpay_escrow_amount_is_commission_plus_seller_amount",
            ),
            models.CheckConstraint(
                condition=Exact(Mod("seller_amount", 5), 0),
                name="cinetpay_escrow_seller_amount_multiple_of_5",
            ),
        ]
        permissions = [("resolve_escrowtransaction", _("Can refund an escrow or resolve its dispute"))]

    def __str__(self) -> str:
        return f"escrow {self.payment.transaction_id}"

    def is_disputable(self, now: datetime.datetime | None = None) -> bool:
        """Whether the buyer may still open a dispute: while held, or confirmed within the security period."""
        if self.status == EscrowStatus.HELD:
            return True
        due = self.release_due_at
        return self.status == EscrowStatus.CONFIRMED and due is not None and (now or timezone.now()) < due


def generate_client_transaction_id() -> str:
    """A payout's idempotency key for CinetPay's Transfer API: like a payment id, prefixed ``TR``."""
    return "TR" + generate_transaction_id()[2:]


class PayoutRequestQuerySet(models.QuerySet["PayoutRequest"]):
    def active(self) -> PayoutRequestQuerySet:
        """Payouts still carrying money towards their recipient (all but failed ones)."""
        return self.exclude(status=PayoutStatus.FAILED)

    def current(self) -> PayoutRequestQuerySet:
        """Payouts no staff retry has replaced: the one that counts for each escrow and kind."""
        return self.filter(retried_by__isnull=True)


class PayoutRequest(models.Model):
    """Money sent out through CinetPay's Transfer API: a seller payout or a buyer refund.

    ``client_transaction_id`` is fixed at creation and is the idempotency key: CinetPay refuses a reused
    one, and after an ambiguous send the transfer is looked up by it before anything else. The
    destination is copied here when the payout is created, so a later profile change cannot redirect
    money already on its way. A failed payout stays failed; a staff retry is a new row (``retry_of``).
    A failed payout CinetPay later reports as sent is flagged ``needs_review`` and cannot be retried.
    """

    escrow = models.ForeignKey(
        EscrowTransaction, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("escrow")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=PayoutKind.choices)
    backend = backend_field(
        _("The API of the payment it pays back or out; it is sent and looked up through it.")
    )
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    prefix = models.CharField(_("phone prefix"), max_length=5, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    name = models.CharField(_("family name"), max_length=100, blank=True)
    surname = models.CharField(_("given name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    client_transaction_id = models.CharField(
        _("client transaction id"),
        max_length=25,
        unique=True,
        default=generate_client_transaction_id,
        editable=False,
    )
    transaction_id = models.CharField(_("CinetPay transaction id"), max_length=64, blank=True, editable=False)
    lot = models.CharField(_("lot"), max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.PENDING, editable=False
    )
    treatment_status = models.CharField(_("treatment status"), max_length=16, blank=True, editable=False)
    sending_status = models.CharField(_("sending status"), max_length=32, blank=True, editable=False)
    operator_transaction_id = models.CharField(
        _("operator transaction id"), max_length=100, blank=True, editable=False
    )
    cinetpay_code = models.CharField(_("CinetPay code"), max_length=16, blank=True, editable=False)
    cinetpay_message = models.CharField(_("CinetPay message"), max_length=255, blank=True, editable=False)
    last_error = models.TextField(
        _("last error"),
        blank=True,
        editable=False,
        help_text=_("Why the payout is not moving (missing destination, CinetPay unreachable …)."),
    )
    needs_review = models.BooleanField(
        _("needs review"),
        default=False,
        editable=False,
        help_text=_(
            "Failed, yet CinetPay reports its transfer as in progress or done: the money may have left. "
            "It cannot be retried; check the CinetPay back-office."
        ),
    )
    retry_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retried_by",
        editable=False,
        verbose_name=_("retry of"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    send_started_at = models.DateTimeField(_("send started"), null=True, blank=True, editable=False)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)

    objects = PayoutRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "last_checked_at"]),
            # For the admin's list: newest first, by each filter, and CinetPay's transfer id for search.
            models.Index(fields=["created_at", "id"], name="cinetpay_payout_created"),
            models.Index(fields=["status", "created_at"], name="cinetpay_payout_status"),
            models.Index(fields=["kind", "created_at"], name="cinetpay_payout_kind"),
            models.Index(fields=["currency", "created_at"], name="cinetpay_payout_currency"),
            models.Index(fields=["transaction_id"], name="cinetpay_payout_transfer_id"),
            # The admin's search by the number paid (exact match on the national number).
            models.Index(fields=["phone"], name="cinetpay_payout_phone"),
            models.Index(
                fields=["created_at"], condition=models.Q(needs_review=True), name="cinetpay_payout_review"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cinetpay_payout_amount_positive"),
            models.UniqueConstraint(
                fields=["escrow", "kind"],
                condition=~models.Q(status=PayoutStatus.FAILED),
                name="cinetpay_one_active_payout_per_escrow_and_kind",
            ),
        ]
        permissions = [
            ("retry_payoutrequest", _("Can retry a failed payout or set its destination")),
            ("send_payoutrequest", _("Can send a pending payout now")),
        ]

    def __str__(self) -> str:
        return self.client_transaction_id

    @property
    def has_destination(self) -> bool:
        return bool(self.prefix and self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageState(models.TextChoices):
    """Where a message to a buyer or seller stands (see :mod:`django_cinetpay.messaging.delivery`)."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class MessageKind(models.TextChoices):
    """What a message says; each has its templates (``cinetpay/email/<kind>…``, ``cinetpay/sms/<kind>…``)."""

    BUYER_PAYMENT_ACCEPTED = "buyer_payment_accepted", _("Buyer: payment accepted")
    BUYER_PAYMENT_REFUSED = "buyer_payment_refused", _("Buyer: payment not completed")
    BUYER_DISPUTE_OPENED = "buyer_dispute_opened", _("Buyer: dispute opened")
    BUYER_DISPUTE_RESOLVED = "buyer_dispute_resolved", _("Buyer: dispute resolved")
    BUYER_REFUND_SENT = "buyer_refund_sent", _("Buyer: refund sent")
    BUYER_DUPLICATE_REFUNDED = "buyer_duplicate_refunded", _("Buyer: duplicate payment refunded")
    BUYER_CONFIRM_REMINDER = "buyer_confirm_reminder", _("Buyer: reminder before automatic confirmation")
    SELLER_PAYMENT_RECEIVED = "seller_payment_received", _("Seller: payment received, deliver now")
    SELLER_RECEIPT_CONFIRMED = "seller_receipt_confirmed", _("Seller: buyer confirmed receipt")
    SELLER_FUNDS_RELEASED = "seller_funds_released", _("Seller: money released")
    SELLER_PAYOUT_COMPLETED = "seller_payout_completed", _("Seller: payout completed")
    SELLER_PAYOUT_FAILED = "seller_payout_failed", _("Seller: payout failed")
    SELLER_DISPUTE_OPENED = "seller_dispute_opened", _("Seller: dispute opened")
    SELLER_DISPUTE_RESOLVED = "seller_dispute_resolved", _("Seller: dispute resolved")


class Message(models.Model):
    """An e-mail or SMS to a buyer or seller, recorded *before* it is sent, so it is sent at most once.

    One row per event, recipient and channel (a unique constraint): a signal heard twice, a retried job
    or two workers cannot make a second one. The content is rendered when the row is written, in the
    recipient's language, and sent as it is; ``state`` moves only through
    :mod:`django_cinetpay.messaging.delivery`, which claims a row with a conditional update before sending.
    Not a money record, so it is not part of the service layer's audited states.
    """

    event = models.CharField(
        _("event"), max_length=64, help_text=_("What happened, and to which payment or payout.")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cinetpay_messages",
        verbose_name=_("recipient"),
    )
    payment = models.ForeignKey(
        CinetPayTransaction, on_delete=models.PROTECT, related_name="messages", verbose_name=_("payment")
    )
    address = models.CharField(_("address"), max_length=254, help_text=_("E-mail address or phone number."))
    language = models.CharField(_("language"), max_length=16)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=MessageState.choices, default=MessageState.PENDING, editable=False
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message to a buyer or seller")
        verbose_name_plural = _("messages to buyers and sellers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="cinetpay_message_created"),
            models.Index(fields=["state", "created_at"], name="cinetpay_message_state"),
            models.Index(fields=["kind", "created_at"], name="cinetpay_message_kind"),
            models.Index(fields=["address"], name="cinetpay_message_address"),
            # The sweep for messages due: few are waiting, so a partial index stays small.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="cinetpay_message_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "channel"], name="cinetpay_one_message_per_event_and_channel"
            )
        ]
        permissions = [("resend_message", _("Can send a failed message to a buyer or seller again"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()}) {self.event}"

    @property
    def masked_address(self) -> str:
        """The address fit for displays: a phone number masked, an e-mail address as it is."""
        return self.address if self.channel == MessageChannel.EMAIL else mask_phone(self.address)
