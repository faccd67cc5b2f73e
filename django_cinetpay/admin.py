"""Admin: everything visible, statuses read-only; state changes only through audited actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import exceptions, services
from .models import CinetPayNotification, CinetPayTransaction, StateChange


class StateChangeInline(GenericTabularInline):
    """The audit trail of the object, read-only."""

    model = StateChange
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "created_at",
        "from_status",
        "to_status",
        "actor_kind",
        "actor_label",
        "reason",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CinetPayTransaction)
class CinetPayTransactionAdmin(admin.ModelAdmin):
    list_display = (
        "transaction_id",
        "created_at",
        "buyer",
        "seller",
        "amount",
        "currency",
        "status",
        "payment_method",
        "masked_payer_phone",
        "needs_review",
    )
    list_filter = ("status", "currency", "needs_review", "payment_method")
    search_fields = ("transaction_id", "payment_token", "operator_id", "buyer__username", "seller__username")
    date_hierarchy = "created_at"
    list_select_related = ("buyer", "seller")
    readonly_fields = (
        "transaction_id",
        "status",
        "payment_token",
        "payment_url",
        "cinetpay_code",
        "cinetpay_message",
        "masked_customer_phone",
        "payment_method",
        "operator_id",
        "masked_payer_phone",
        "needs_review",
        "review_reason",
        "paid_at",
        "last_checked_at",
        "checkout_started_at",
        "created_at",
        "updated_at",
    )
    exclude = ("payer_phone", "payer_phone_prefix", "customer_phone_number")
    raw_id_fields = ("buyer", "seller")
    inlines = [StateChangeInline]
    actions = ["recheck"]

    @admin.display(description=_("payer phone"))
    def masked_payer_phone(self, obj: CinetPayTransaction) -> str:
        return obj.masked_payer_phone

    @admin.display(description=_("phone number"))
    def masked_customer_phone(self, obj: CinetPayTransaction) -> str:
        return obj.masked_customer_phone

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Payments are records of money: view them, act on them through audited actions only.
        return False

    @admin.action(description=_("Re-check with CinetPay"), permissions=["recheck"])
    def recheck(self, request: HttpRequest, queryset: QuerySet[CinetPayTransaction]) -> None:
        for tx in queryset:
            try:
                outcome = services.refresh_payment(tx, actor=services.Actor.for_admin(request.user))
            except exceptions.CinetPayError as exc:
                self.message_user(request, f"{tx}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{tx}: {outcome.outcome.value} ({outcome.transaction.status})")

    def has_recheck_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.recheck_cinetpaytransaction")


@admin.register(CinetPayNotification)
class CinetPayNotificationAdmin(admin.ModelAdmin):
    list_display = ("received_at", "kind", "reference", "remote_addr", "valid", "processed", "result")
    list_filter = ("kind", "valid", "processed")
    search_fields = ("reference",)
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in CinetPayNotification._meta.fields]
    actions = ["reprocess"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Process again"), permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[CinetPayNotification]) -> None:
        for notification in queryset:
            result = services.reprocess(notification)
            level = messages.SUCCESS if result.status == 200 else messages.WARNING
            self.message_user(request, f"{notification}: {result.status} {result.message}", level)

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.change_cinetpaynotification")
