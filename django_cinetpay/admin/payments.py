"""Payments in the admin: a list that fits a laptop, each payment's page linking everything it touches,
and a check with CinetPay as a button."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..adapter import get_adapter
from ..changelists import CurrencyFilter, PaymentMethodFilter
from ..exports import Column
from ..formatting import money, payment_method_name
from ..models import CinetPayTransaction, PayoutRequest
from ..services import Outcome
from ..states import PaymentStatus
from .actions import ObjectAction
from .base import RecordAdmin, StateChangeInline, date_column, money_column, short_datetime
from .links import describe_payout, link, links, order_link

#: Staff find a buyer's or seller's rows by the name they log in with (the user model's, not always username).
USERNAME = get_user_model().USERNAME_FIELD


def _recheck(payment: CinetPayTransaction, user: Any, data: dict[str, Any]) -> str:
    checked = services.refresh_payment(payment, actor=services.Actor.for_admin(user))
    names = {"status": checked.transaction.get_status_display()}
    return {
        Outcome.APPLIED: gettext("CinetPay's answer is applied: the payment is now “%(status)s”."),
        Outcome.UNCHANGED: gettext("CinetPay confirms it: the payment stays “%(status)s”."),
        Outcome.IGNORED: gettext(
            "CinetPay's answer came too late to change anything: the payment stays “%(status)s”."
        ),
        Outcome.MISMATCH: gettext(
            "CinetPay says it is paid, but not the amount or currency asked: it is flagged for review."
        ),
        Outcome.UNKNOWN: gettext("CinetPay's answer gives no status: the payment stays “%(status)s”."),
        Outcome.NOT_STARTED: gettext("Not checked: the buyer never reached CinetPay's checkout."),
    }[checked.outcome] % names


RECHECK = ObjectAction(
    name="recheck",
    label=_("Check with CinetPay"),
    explanation=_(
        "Asks CinetPay where this payment stands and applies the answer, as a notification would. "
        "Nothing is charged or sent."
    ),
    permission="cinetpay.recheck_cinetpaytransaction",
    run=_recheck,
    available=lambda payment: payment.status != PaymentStatus.ACCEPTED,
    form=None,
)


@admin.register(CinetPayTransaction)
class CinetPayTransactionAdmin(RecordAdmin):
    # Few, short columns: the list fits beside the filters on a 1280 px screen (see change_list.html).
    list_display = (
        "transaction_id",
        "created",
        "people",
        "amount_display",
        "status_and_method",
        "phone",
        "review",
    )
    list_filter = (
        "created_at",
        "status",
        CurrencyFilter,
        PaymentMethodFilter,
        "needs_review",
        ("duplicate_of", admin.EmptyFieldListFilter),
    )
    search_fields = ("transaction_id__startswith", "operator_id__exact")
    search_related = (("buyer", USERNAME), ("seller", USERNAME))
    search_phones = ("payer_phone",)
    sortable_by = ("transaction_id", "created")
    list_select_related = ("buyer", "seller", "duplicate_of")
    fieldsets = (
        (
            None,
            {"fields": ("transaction_id", "status", "amount_display", "method", "description", "created_at")},
        ),
        (
            _("People and order"),
            {
                "fields": (
                    "buyer_link",
                    "seller_link",
                    "order",
                    "order_page",
                    "masked_customer_phone",
                    "masked_payer_phone",
                )
            },
        ),
        (_("Escrow, payouts and notifications"), {"fields": ("escrow_link", "payouts", "notifications")}),
        (_("Review"), {"fields": ("needs_review", "review_reason", "duplicate_link")}),
        (
            _("CinetPay"),
            {
                "classes": ("collapse",),
                "fields": (
                    "cinetpay_code",
                    "cinetpay_message",
                    "operator_id",
                    "payment_token",
                    "payment_url",
                    "checkout_started_at",
                    "paid_at",
                    "last_checked_at",
                    "updated_at",
                ),
            },
        ),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [StateChangeInline]
    object_actions = (RECHECK,)
    export_columns = (
        Column(_("transaction id"), lambda p: p.transaction_id),
        Column(_("created"), lambda p: p.created_at),
        Column(_("status"), lambda p: p.get_status_display()),
        Column(_("amount"), lambda p: p.amount),
        Column(_("currency"), lambda p: p.currency),
        Column(_("payment method"), lambda p: payment_method_name(p.payment_method)),
        Column(_("buyer"), lambda p: p.buyer),
        Column(_("seller"), lambda p: p.seller),
        Column(_("payer phone"), lambda p: p.masked_payer_phone),
        Column(_("description"), lambda p: p.description),
        Column(_("operator id"), lambda p: p.operator_id),
        Column(_("paid at"), lambda p: p.paid_at),
        Column(_("needs review"), lambda p: p.needs_review),
    )

    created = date_column("created_at", _("created"))
    amount_display = money_column("amount", _("amount"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[CinetPayTransaction]:
        """Payments with their buyer and seller, which the list, the page and the export all show."""
        return super().get_queryset(request).select_related("buyer", "seller")

    @admin.display(description=_("buyer → seller"))
    def people(self, payment: CinetPayTransaction) -> str:
        return f"{payment.buyer} → {payment.seller}"

    @admin.display(description=_("status"))
    def status_and_method(self, payment: CinetPayTransaction) -> SafeString:
        """The status, and under it how the buyer paid (or tried to)."""
        return format_html(
            '{}<br><span class="quiet">{}</span>',
            payment.get_status_display(),
            payment_method_name(payment.payment_method),
        )

    @admin.display(description=_("phone"))
    def phone(self, payment: CinetPayTransaction) -> str:
        return payment.masked_payer_phone

    @admin.display(description=_("review"))
    def review(self, payment: CinetPayTransaction) -> SafeString | str:
        """Said only where staff must look (a column of "no" would hide the few that need them): a payment
        to review, and a duplicate with the payment that had already paid its order."""
        notes = [gettext("to review")] if payment.needs_review else []
        if payment.duplicate_of is not None:
            notes.append(
                format_html("{} {}", gettext("duplicate of"), link(self.admin_site, payment.duplicate_of))
            )
        return format_html_join(mark_safe("<br>"), "{}", ((note,) for note in notes))

    @admin.display(description=_("method"))
    def method(self, payment: CinetPayTransaction) -> str:
        return payment_method_name(payment.payment_method) or "-"

    @admin.display(description=_("payer phone"))
    def masked_payer_phone(self, payment: CinetPayTransaction) -> str:
        return payment.masked_payer_phone or "-"

    @admin.display(description=_("phone number typed"))
    def masked_customer_phone(self, payment: CinetPayTransaction) -> str:
        return payment.masked_customer_phone or "-"

    @admin.display(description=_("buyer"))
    def buyer_link(self, payment: CinetPayTransaction) -> SafeString | str:
        return link(self.admin_site, payment.buyer)

    @admin.display(description=_("seller"))
    def seller_link(self, payment: CinetPayTransaction) -> SafeString | str:
        return link(self.admin_site, payment.seller)

    @admin.display(description=_("order"))
    def order(self, payment: CinetPayTransaction) -> SafeString | str:
        return order_link(self.admin_site, payment.order_content_type_id, payment.order_object_id)

    @admin.display(description=_("on the site"))
    def order_page(self, payment: CinetPayTransaction) -> SafeString | str:
        """The host's own page of the order (the adapter's ``get_order_url``), e.g. with the chat."""
        url = get_adapter().get_order_url(payment)
        return format_html('<a href="{}">{}</a>', url, gettext("Open the order's page")) if url else "-"

    @admin.display(description=_("duplicate of"))
    def duplicate_link(self, payment: CinetPayTransaction) -> SafeString | str:
        return link(self.admin_site, payment.duplicate_of)

    @admin.display(description=_("escrow"))
    def escrow_link(self, payment: CinetPayTransaction) -> SafeString | str:
        escrow = getattr(payment, "escrow", None)  # a payment not accepted has none
        if escrow is None:
            return "-"
        return link(
            self.admin_site, escrow, f"{escrow.get_status_display()}, {money(escrow.amount, escrow.currency)}"
        )

    @admin.display(description=_("payouts"))
    def payouts(self, payment: CinetPayTransaction) -> SafeString | str:
        return links(
            self.admin_site,
            PayoutRequest.objects.filter(escrow__payment=payment).order_by("created_at"),
            describe_payout,
            urlencode({"q": payment.transaction_id}),
        )

    @admin.display(description=_("notifications received"))
    def notifications(self, payment: CinetPayTransaction) -> SafeString | str:
        return links(
            self.admin_site,
            payment.notifications.order_by("-received_at"),
            lambda n: f"({short_datetime(n.received_at)}, {n.result or '-'})",
            urlencode({"q": payment.transaction_id}),
        )
