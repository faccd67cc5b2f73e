"""Escrows in the admin: disputes resolved and refunds made from the escrow's page, each with a note for the
audit trail; links to the payment, the buyer, the seller, the order and the payouts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..changelists import CurrencyFilter
from ..exports import Column
from ..formatting import money
from ..models import EscrowTransaction
from ..states import EscrowStatus
from .actions import ObjectAction
from .base import RecordAdmin, StateChangeInline, date_column, money_column
from .links import describe_payout, link, links, order_link
from .payments import USERNAME


def _disputed(escrow: EscrowTransaction) -> bool:
    return escrow.status == EscrowStatus.DISPUTED


def _release(escrow: EscrowTransaction, user: Any, data: dict[str, Any]) -> str:
    escrow = services.resolve_dispute(escrow, user, EscrowStatus.RELEASED, data["note"])
    return gettext("Dispute resolved: the seller is paid %(amount)s.") % {
        "amount": money(escrow.seller_amount, escrow.currency)
    }


def _refunded(escrow: EscrowTransaction) -> str:
    return gettext("Refunded: %(amount)s go back to the buyer.") % {
        "amount": money(escrow.amount, escrow.currency)
    }


RELEASE = ObjectAction(
    name="release_dispute",
    label=_("Resolve the dispute: pay the seller"),
    explanation=_("The seller is paid their share and the buyer's dispute is closed. This cannot be undone."),
    permission="cinetpay.resolve_escrowtransaction",
    run=_release,
    available=_disputed,
)
REFUND_DISPUTE = ObjectAction(
    name="refund_dispute",
    label=_("Resolve the dispute: refund the buyer"),
    explanation=_(
        "The whole amount goes back to the number that paid and the dispute is closed. This cannot be undone."
    ),
    permission="cinetpay.resolve_escrowtransaction",
    run=lambda escrow, user, data: _refunded(
        services.resolve_dispute(escrow, user, EscrowStatus.REFUNDED, data["note"])
    ),
    available=_disputed,
)
REFUND = ObjectAction(
    name="refund",
    label=_("Refund the buyer"),
    explanation=_(
        "The sale is cancelled: the whole amount goes back to the number that paid. Only money still held "
        "can be refunded. This cannot be undone."
    ),
    permission="cinetpay.resolve_escrowtransaction",
    run=lambda escrow, user, data: _refunded(services.refund_escrow(escrow, user, data["note"])),
    available=lambda escrow: escrow.status == EscrowStatus.HELD,
)


@admin.register(EscrowTransaction)
class EscrowTransactionAdmin(RecordAdmin):
    list_display = ("payment", "created", "people", "amount_display", "status", "release_due")
    list_filter = ("created_at", "status", CurrencyFilter)
    # All on the payment's row (one per escrow), so the search stays on the payment table's indexes.
    search_fields = ("payment__transaction_id__startswith",)
    search_related = (("payment__buyer", USERNAME), ("payment__seller", USERNAME))
    sortable_by = ("created",)
    list_select_related = ("payment__buyer", "payment__seller")
    fieldsets = (
        (
            None,
            {"fields": ("payment_link", "status", "amount_display", "commission_display", "seller_share")},
        ),
        (_("People and order"), {"fields": ("buyer_link", "seller_link", "order")}),
        (
            _("Dispute and resolution"),
            {
                "fields": (
                    "confirmed_at",
                    "release_due_at",
                    "disputed_at",
                    "dispute_reason",
                    "resolved_at",
                    "resolution_note",
                )
            },
        ),
        (_("Payouts"), {"fields": ("payouts",)}),
        (_("Record"), {"classes": ("collapse",), "fields": ("commission_rate", "created_at", "updated_at")}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [StateChangeInline]
    object_actions = (RELEASE, REFUND_DISPUTE, REFUND)
    export_columns = (
        Column(_("payment"), lambda e: e.payment.transaction_id),
        Column(_("created"), lambda e: e.created_at),
        Column(_("status"), lambda e: e.get_status_display()),
        Column(_("amount"), lambda e: e.amount),
        Column(_("commission"), lambda e: e.commission),
        Column(_("seller amount"), lambda e: e.seller_amount),
        Column(_("currency"), lambda e: e.currency),
        Column(_("buyer"), lambda e: e.payment.buyer),
        Column(_("seller"), lambda e: e.payment.seller),
        Column(_("release due"), lambda e: e.release_due_at),
        Column(_("disputed"), lambda e: e.disputed_at),
        Column(_("dispute reason"), lambda e: e.dispute_reason),
        Column(_("resolved"), lambda e: e.resolved_at),
        Column(_("resolution note"), lambda e: e.resolution_note),
    )

    created = date_column("created_at", _("created"))
    release_due = date_column("release_due_at", _("release due"))
    amount_display = money_column("amount", _("amount"))
    commission_display = money_column("commission", _("commission"))
    seller_share = money_column("seller_amount", _("seller's share"))

    @admin.display(description=_("buyer → seller"))
    def people(self, escrow: EscrowTransaction) -> str:
        return f"{escrow.payment.buyer} → {escrow.payment.seller}"

    @admin.display(description=_("payment"))
    def payment_link(self, escrow: EscrowTransaction) -> SafeString | str:
        return link(self.admin_site, escrow.payment)

    @admin.display(description=_("buyer"))
    def buyer_link(self, escrow: EscrowTransaction) -> SafeString | str:
        return link(self.admin_site, escrow.payment.buyer)

    @admin.display(description=_("seller"))
    def seller_link(self, escrow: EscrowTransaction) -> SafeString | str:
        return link(self.admin_site, escrow.payment.seller)

    @admin.display(description=_("order"))
    def order(self, escrow: EscrowTransaction) -> SafeString | str:
        payment = escrow.payment
        return order_link(self.admin_site, payment.order_content_type_id, payment.order_object_id)

    @admin.display(description=_("payouts"))
    def payouts(self, escrow: EscrowTransaction) -> SafeString | str:
        return links(
            self.admin_site,
            escrow.payouts.order_by("created_at"),
            describe_payout,
            urlencode({"escrow__id__exact": escrow.pk}),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscrowTransaction]:
        """Escrows with their payment, buyer and seller, which the list, the page and the actions read."""
        return super().get_queryset(request).select_related("payment__buyer", "payment__seller")
