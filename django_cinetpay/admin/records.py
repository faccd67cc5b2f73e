"""Admin: everything visible, statuses read-only; state changes only through audited actions.

The four lists grow without bound, so each is a :class:`~.changelists.LargeTableAdmin`: no full count,
filters that cost no query, searches and sorts an index serves (see :mod:`.changelists`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from .. import exceptions, services
from ..changelists import CurrencyFilter, LargeTableAdmin, PaymentMethodFilter
from ..forms import PayoutDestinationForm
from ..models import CinetPayNotification, CinetPayTransaction, EscrowTransaction, PayoutRequest, StateChange
from ..states import EscrowStatus, PayoutStatus
from ..utils import mask_phone

#: Staff find a buyer's or seller's rows by the name they log in with (the user model's, not always username).
USERNAME = get_user_model().USERNAME_FIELD


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
class CinetPayTransactionAdmin(LargeTableAdmin):
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
        "duplicate_of",
    )
    list_filter = (
        "created_at",
        "status",
        CurrencyFilter,
        "needs_review",
        ("duplicate_of", admin.EmptyFieldListFilter),
        PaymentMethodFilter,
    )
    search_fields = ("transaction_id__startswith", "operator_id__exact")
    search_related = (("buyer", USERNAME), ("seller", USERNAME))
    sortable_by = ("transaction_id", "created_at")
    list_select_related = ("buyer", "seller", "duplicate_of")
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
        "duplicate_of",
        "order_exclusive",
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
class CinetPayNotificationAdmin(LargeTableAdmin):
    """Every request received on the notification URLs, read-only, phone numbers masked."""

    list_display = ("received_at", "kind", "reference", "remote_addr", "valid", "processed", "result")
    list_filter = ("received_at", "kind", "valid", "processed")
    search_fields = ("reference__startswith",)
    sortable_by = ("received_at", "reference")
    exclude = ("body", "form")
    readonly_fields = [
        *(f.name for f in CinetPayNotification._meta.fields if f.name not in ("body", "form")),
        "masked_form",
    ]
    actions = ["reprocess"]

    @admin.display(description=_("form fields"))
    def masked_form(self, obj: CinetPayNotification) -> str:
        """The POSTed fields, phone numbers masked (the raw body stays in the database for reprocessing)."""
        return "\n".join(
            f"{name} = {mask_phone(value) if _is_phone(name) else value}" for name, value in obj.form
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Process again"), permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[CinetPayNotification]) -> None:
        actor = services.Actor.for_admin(request.user)
        for notification in queryset:
            result = services.reprocess(notification, actor=actor)
            level = messages.SUCCESS if result.status == 200 else messages.WARNING
            self.message_user(request, f"{notification}: {result.status} {result.message}", level)

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.change_cinetpaynotification")


def _is_phone(field_name: str) -> bool:
    """Notification fields that carry a phone number (payment: cel_phone_num; transfer: receiver)."""
    return "phone" in field_name or field_name == "receiver"


def _act_on_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], act: Any
) -> None:
    """Run ``act(obj)`` (a service call) on each selected object; report each outcome, never a 500."""
    for obj in queryset:
        try:
            result = act(obj)
        except (exceptions.CinetPayError, ValueError) as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{obj}: {getattr(result, 'status', result)}", messages.SUCCESS)


def note_action(name: str, title: Any, explanation: Any, permission: str, service: Any) -> Any:
    """An admin action that first asks staff for a note, then calls ``service(obj, user, note)`` on each.

    The note goes into the audit trail with the staff member; ``permission`` is checked by the admin
    (``has_<permission>_permission``) and again by the service.
    """

    @admin.action(description=title, permissions=[permission])
    def action(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        note = request.POST.get("note", "").strip()
        if "apply" in request.POST and note:
            _act_on_each(modeladmin, request, queryset, lambda obj: service(obj, request.user, note))
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "queryset": queryset,
            "opts": modeladmin.model._meta,
            "action": name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cinetpay/note_action.html", context)

    action.__name__ = name
    return action


@admin.register(EscrowTransaction)
class EscrowTransactionAdmin(LargeTableAdmin):
    """Escrows: read-only; disputes are resolved and refunds made through audited actions."""

    list_display = (
        "payment",
        "created_at",
        "amount",
        "currency",
        "commission",
        "seller_amount",
        "status",
        "release_due_at",
    )
    list_filter = ("created_at", "status", CurrencyFilter)
    # All on the payment's row (one per escrow), so the search stays on the payment table's indexes.
    search_fields = ("payment__transaction_id__startswith",)
    search_related = (("payment__buyer", USERNAME), ("payment__seller", USERNAME))
    sortable_by = ("created_at",)
    list_select_related = ("payment",)
    readonly_fields = [f.name for f in EscrowTransaction._meta.fields]
    inlines = [StateChangeInline]
    actions = [
        note_action(
            "release_dispute",
            _("Resolve dispute: pay the seller"),
            _("The seller is paid their share; the buyer's dispute is closed."),
            "resolve",
            lambda escrow, user, note: services.resolve_dispute(escrow, user, EscrowStatus.RELEASED, note),
        ),
        note_action(
            "refund_dispute",
            _("Resolve dispute: refund the buyer"),
            _("The whole amount goes back to the number that paid."),
            "resolve",
            lambda escrow, user, note: services.resolve_dispute(escrow, user, EscrowStatus.REFUNDED, note),
        ),
        note_action(
            "refund",
            _("Refund the buyer"),
            _("Only escrows still held or disputed can be refunded."),
            "resolve",
            services.refund_escrow,
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.resolve_escrowtransaction")


@admin.register(PayoutRequest)
class PayoutRequestAdmin(LargeTableAdmin):
    """Payouts and refunds: read-only. Through actions, each behind its permission: failed ones are retried,
    any is checked with CinetPay (never sent), and pending ones are sent now; a pending one also gets a
    destination from a form (its change page links to it)."""

    list_display = (
        "client_transaction_id",
        "created_at",
        "kind",
        "amount",
        "currency",
        "masked_phone",
        "status",
        "cinetpay_code",
        "retry_of",
    )
    list_filter = ("created_at", "status", "needs_review", "kind", CurrencyFilter)
    search_fields = ("client_transaction_id__startswith", "transaction_id__exact")
    search_related = (("escrow", "payment__transaction_id"),)
    sortable_by = ("client_transaction_id", "created_at")
    list_select_related = ("retry_of",)
    readonly_fields = [f.name for f in PayoutRequest._meta.fields if f.name != "phone"] + ["masked_phone"]
    exclude = ("phone",)
    inlines = [StateChangeInline]
    actions = [
        note_action(
            "retry",
            _("Retry failed payouts"),
            _("Each failed payout gets a new payout of the same amount; the failed one stays on record."),
            "retry",
            lambda payout, user, note: services.retry_payout(payout, user, reason=note),
        ),
        "check_now",
        "send_now",
    ]
    change_form_template = "admin/cinetpay/payoutrequest/change_form.html"

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: PayoutRequest) -> str:
        return mask_phone(obj.phone)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.retry_payoutrequest")

    def has_send_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.send_payoutrequest")

    @admin.action(description=_("Check with CinetPay now"), permissions=["retry"])
    def check_now(self, request: HttpRequest, queryset: QuerySet[PayoutRequest]) -> None:
        """Look each transfer up and apply CinetPay's answer. Never sends: that is :meth:`send_now`."""
        actor = services.Actor.for_admin(request.user)
        _act_on_each(self, request, queryset, lambda p: services.refresh_payout(p, actor=actor).payout)

    @admin.action(description=_("Send now"), permissions=["send"])
    def send_now(self, request: HttpRequest, queryset: QuerySet[PayoutRequest]) -> None:
        """Move each payout forward at once: a pending one is sent, one in doubt looked up first."""
        actor = services.Actor.for_admin(request.user)
        _act_on_each(self, request, queryset, lambda p: services.process_payout(p, actor=actor).payout)

    def get_urls(self) -> list[URLPattern]:
        destination = path(
            "<path:object_id>/destination/",
            self.admin_site.admin_view(self.destination_view),
            name="cinetpay_payoutrequest_destination",
        )
        return [destination, *super().get_urls()]

    def _may_set_destination(self, request: HttpRequest, payout: PayoutRequest) -> bool:
        """Only a payout not sent yet can be redirected, by staff allowed to retry payouts."""
        return payout.status == PayoutStatus.PENDING and self.has_retry_permission(request)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        payout = self.get_object(request, unquote(object_id))
        may = payout is not None and self._may_set_destination(request, payout)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "can_set_destination": may}
        )

    def destination_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A form for where a pending payout goes, handed to ``services.set_destination`` (audited)."""
        payout = self.get_object(request, unquote(object_id))
        if payout is None:
            raise Http404
        if not self.has_retry_permission(request):
            raise PermissionDenied
        payout_url = reverse("admin:cinetpay_payoutrequest_change", args=[payout.pk])
        if not self._may_set_destination(request, payout):
            self.message_user(request, _("Only a pending payout can get a new destination."), messages.ERROR)
            return HttpResponseRedirect(payout_url)
        initial = {"name": payout.name, "surname": payout.surname, "email": payout.email}
        form = PayoutDestinationForm(request.POST or None, currency=payout.currency, initial=initial)
        if form.is_valid():
            try:
                services.set_destination(payout, request.user, form.destination())
            except (exceptions.CinetPayError, ValueError) as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, _("The payout's destination is set."), messages.SUCCESS)
                return HttpResponseRedirect(payout_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set the destination of %(payout)s") % {"payout": payout},
            "opts": self.model._meta,
            "original": payout,
            "form": form,
        }
        return TemplateResponse(request, "admin/cinetpay/payoutrequest/set_destination.html", context)
