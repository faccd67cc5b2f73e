"""Payouts and refunds in the admin: retry a failed one, check one with CinetPay, send a pending one now,
set where a pending one goes — each a button on the payout's page, behind its permission."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import QueryDict
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..changelists import CurrencyFilter
from ..exports import Column
from ..formatting import money
from ..forms import PayoutDestinationForm, payout_destination
from ..models import PayoutRequest
from ..services import Step
from ..states import PayoutStatus
from .actions import ObjectAction
from .base import RecordAdmin, StateChangeInline, date_column, money_column
from .feedback import ActionFailed, staff_message
from .links import link, order_link
from .payments import USERNAME

RETRY_PERMISSION = "cinetpay.retry_payoutrequest"


def _retry(payout: PayoutRequest, user: Any, data: dict[str, Any]) -> str:
    retry = services.retry_payout(payout, user, reason=data["note"])
    return gettext("Retried: the new payout %(payout)s of %(amount)s is on its way.") % {
        "payout": retry,
        "amount": money(retry.amount, retry.currency),
    }


def _retriable(payout: PayoutRequest) -> bool:
    """Failed, not flagged (the money may have left), and not retried already."""
    return (
        payout.status == PayoutStatus.FAILED
        and not payout.needs_review
        and not PayoutRequest.objects.filter(retry_of=payout).exists()
    )


def _check(payout: PayoutRequest, user: Any, data: dict[str, Any]) -> str:
    result = services.refresh_payout(payout, actor=services.Actor.for_admin(user))
    names = {"status": result.payout.get_status_display()}
    if result.step == Step.WAITING:
        return gettext("CinetPay knows no transfer for this payout; it stays “%(status)s”.") % names
    return gettext("CinetPay's answer is applied: the payout is “%(status)s”.") % names


def _send(payout: PayoutRequest, user: Any, data: dict[str, Any]) -> str:
    result = services.process_payout(payout, actor=services.Actor.for_admin(user))
    names = {"status": result.payout.get_status_display()}
    if result.error is not None:
        raise ActionFailed(staff_message(result.error, payout))
    if result.step == Step.UNKNOWN:
        raise ActionFailed(
            gettext(
                "CinetPay gave no clear answer: the transfer will be looked up again before anything else."
            )
        )
    if result.step == Step.WAITING:
        return gettext("Nothing to send now: the payout is “%(status)s”. %(situation)s") % {
            **names,
            "situation": situation(result.payout),
        }
    return gettext("Done: the payout is “%(status)s”.") % names


def _destination_form(payout: PayoutRequest, data: QueryDict | None) -> PayoutDestinationForm:
    initial = {"name": payout.name, "surname": payout.surname, "email": payout.email}
    return PayoutDestinationForm(data, currency=payout.currency, initial=initial)


def _set_destination(payout: PayoutRequest, user: Any, data: dict[str, Any]) -> str:
    services.set_destination(payout, user, payout_destination(data))
    return gettext("The payout's destination is set; it is sent right away.")


RETRY = ObjectAction(
    name="retry",
    label=_("Retry the payout"),
    explanation=_(
        "CinetPay is asked first whether the failed transfer left after all; if not, a new payout of the "
        "same amount is sent to the same number. The failed one stays on record."
    ),
    permission=RETRY_PERMISSION,
    run=_retry,
    available=_retriable,
)
CHECK = ObjectAction(
    name="check_now",
    label=_("Check with CinetPay"),
    explanation=_(
        "Asks CinetPay where this payout's transfer stands and applies the answer. Nothing is sent."
    ),
    permission=RETRY_PERMISSION,
    run=_check,
    form=None,
)
SEND = ObjectAction(
    name="send_now",
    label=_("Send now"),
    explanation=_(
        "Moves the payout forward at once instead of waiting for the next background run: a pending one "
        "is sent; one whose outcome is unknown is looked up first and never sent twice."
    ),
    permission="cinetpay.send_payoutrequest",
    run=_send,
    available=lambda payout: (
        payout.status
        in (PayoutStatus.PENDING, PayoutStatus.UNKNOWN, PayoutStatus.SUBMITTED, PayoutStatus.SENDING)
    ),
    form=None,
)
DESTINATION = ObjectAction(
    name="destination",
    label=_("Set destination"),
    explanation=_(
        "Where this payout goes: a mobile money number of a country CinetPay pays in its currency. It is "
        "sent as soon as the destination is set."
    ),
    permission=RETRY_PERMISSION,
    run=_set_destination,
    available=lambda payout: payout.status == PayoutStatus.PENDING,
    form=_destination_form,
    bulk=False,
)


def situation(payout: PayoutRequest) -> str:
    """Where the payout stands and what staff can do, in their words (``last_error`` is the technical
    detail, written for developers)."""
    if payout.needs_review:
        return gettext(
            "Failed here, yet CinetPay reports its transfer in progress or done: the money may have left. "
            "It cannot be retried; check it in the CinetPay back-office."
        )
    status = payout.status
    if status == PayoutStatus.PENDING and not payout.has_destination:
        return gettext("Waiting for a destination: nothing is sent until one is set (“Set destination”).")
    if status == PayoutStatus.PENDING:
        if payout.last_error:
            return gettext(
                "Waiting to be sent; the last attempt did not go through (see the technical detail). "
                "Check the destination, or “Send now” to try again."
            )
        return gettext("Waiting to be sent by the next background run, or “Send now”.")
    words: dict[str, str] = {
        PayoutStatus.SENDING: gettext("Being sent to CinetPay."),
        PayoutStatus.UNKNOWN: gettext(
            "A send may have reached CinetPay: it is looked up again automatically before anything else "
            "(“Check with CinetPay” to do it now). Never sent twice."
        ),
        PayoutStatus.SUBMITTED: gettext(
            "Sent: CinetPay may wait for the merchant's approval, sometimes for hours."
        ),
        PayoutStatus.COMPLETED: gettext("Paid."),
        PayoutStatus.FAILED: gettext(
            "Failed: CinetPay did not pay it. “Retry the payout” sends a new payout of the same amount."
        ),
    }
    return words.get(status, "")


@admin.register(PayoutRequest)
class PayoutRequestAdmin(RecordAdmin):
    list_display = (
        "client_transaction_id",
        "created",
        "kind",
        "amount_display",
        "phone_display",
        "status",
        "needs_review",
    )
    list_filter = ("created_at", "status", "kind", CurrencyFilter, "needs_review")
    search_fields = ("client_transaction_id__startswith", "transaction_id__exact")
    # Each found through the escrow (one query for the escrows of that payment, buyer or seller), so the
    # list's filter stays on the payout table's own indexes.
    search_related = (
        ("escrow", "payment__transaction_id"),
        ("escrow", f"payment__seller__{USERNAME}"),
        ("escrow", f"payment__buyer__{USERNAME}"),
    )
    search_phones = ("phone",)
    sortable_by = ("client_transaction_id", "created")
    fieldsets = (
        (
            None,
            {"fields": ("client_transaction_id", "kind", "status", "situation_display", "amount_display")},
        ),
        (_("Destination"), {"fields": ("phone_display", "name", "surname", "email")}),
        (
            _("Links"),
            {"fields": ("payment_link", "escrow_link", "seller_link", "buyer_link", "order", "retry_links")},
        ),
        (_("Review"), {"fields": ("needs_review",)}),
        (
            _("Technical detail"),
            {
                "classes": ("collapse",),
                "fields": (
                    "last_error",
                    "transaction_id",
                    "lot",
                    "treatment_status",
                    "sending_status",
                    "operator_transaction_id",
                    "cinetpay_code",
                    "cinetpay_message",
                    "created_at",
                    "send_started_at",
                    "last_checked_at",
                    "finished_at",
                ),
            },
        ),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [StateChangeInline]
    object_actions = (RETRY, CHECK, SEND, DESTINATION)
    export_columns = (
        Column(_("client transaction id"), lambda p: p.client_transaction_id),
        Column(_("created"), lambda p: p.created_at),
        Column(_("kind"), lambda p: p.get_kind_display()),
        Column(_("status"), lambda p: p.get_status_display()),
        Column(_("amount"), lambda p: p.amount),
        Column(_("currency"), lambda p: p.currency),
        Column(_("phone prefix"), lambda p: p.prefix),
        Column(_("phone"), lambda p: p.masked_phone),
        Column(_("payment"), lambda p: p.escrow.payment.transaction_id),
        Column(_("seller"), lambda p: p.escrow.payment.seller),
        Column(_("buyer"), lambda p: p.escrow.payment.buyer),
        Column(_("CinetPay transaction id"), lambda p: p.transaction_id),
        Column(_("CinetPay code"), lambda p: p.cinetpay_code),
        Column(_("needs review"), lambda p: p.needs_review),
        Column(_("finished"), lambda p: p.finished_at),
    )
    export_select_related = ("escrow__payment__buyer", "escrow__payment__seller")

    created = date_column("created_at", _("created"))
    amount_display = money_column("amount", _("amount"))

    @admin.display(description=_("phone"))
    def phone_display(self, payout: PayoutRequest) -> str:
        return _phone(payout) or "-"

    @admin.display(description=_("review"))
    def review(self, payout: PayoutRequest) -> str:
        return gettext("to review") if payout.needs_review else ""

    @admin.display(description=_("where it stands"))
    def situation_display(self, payout: PayoutRequest) -> str:
        return situation(payout)

    @admin.display(description=_("payment"))
    def payment_link(self, payout: PayoutRequest) -> SafeString | str:
        return link(self.admin_site, payout.escrow.payment)

    @admin.display(description=_("escrow"))
    def escrow_link(self, payout: PayoutRequest) -> SafeString | str:
        return link(self.admin_site, payout.escrow, payout.escrow.get_status_display())

    @admin.display(description=_("seller"))
    def seller_link(self, payout: PayoutRequest) -> SafeString | str:
        return link(self.admin_site, payout.escrow.payment.seller)

    @admin.display(description=_("buyer"))
    def buyer_link(self, payout: PayoutRequest) -> SafeString | str:
        return link(self.admin_site, payout.escrow.payment.buyer)

    @admin.display(description=_("order"))
    def order(self, payout: PayoutRequest) -> SafeString | str:
        payment = payout.escrow.payment
        return order_link(self.admin_site, payment.order_content_type_id, payment.order_object_id)

    @admin.display(description=_("retries"))
    def retry_links(self, payout: PayoutRequest) -> SafeString | str:
        """The failed payout this one retries, and the payout that retried this one."""
        retried_by = PayoutRequest.objects.filter(retry_of=payout).first()
        parts = []
        if payout.retry_of_id is not None:
            parts.append((gettext("Retry of"), link(self.admin_site, payout.retry_of)))
        if retried_by is not None:
            parts.append((gettext("Retried by"), link(self.admin_site, retried_by)))
        return format_html_join("; ", "{} {}", parts) if parts else "-"


def _phone(payout: PayoutRequest) -> str:
    """``+225 ********07``: the calling code and the masked number."""
    if not payout.phone:
        return ""
    return f"+{payout.prefix} {payout.masked_phone}" if payout.prefix else payout.masked_phone
