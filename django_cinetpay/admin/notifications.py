"""Stored notifications in the admin: every request received on the notification URLs, read-only, phone
numbers masked, processed again with a button."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..exports import Column
from ..models import CinetPayNotification
from ..utils import mask_phone
from .actions import ObjectAction
from .base import RecordAdmin, date_column
from .feedback import ActionFailed
from .links import link


def _reprocess(notification: CinetPayNotification, user: Any, data: dict[str, Any]) -> str:
    result = services.reprocess(notification, actor=services.Actor.for_admin(user))
    if result.status == 200:
        return gettext("Processed again.")
    raise ActionFailed(
        {
            400: gettext("Not processed: the notification is incomplete or names another site."),
            403: gettext("Not processed: its signature is not valid, so it was not sent by CinetPay."),
            404: gettext("Not processed: it names no payment or payout known here."),
            503: gettext("CinetPay could not be reached to confirm it; process it again later."),
        }.get(result.status, gettext("Processing failed; the error is kept on the notification."))
    )


REPROCESS = ObjectAction(
    name="reprocess",
    label=_("Process again"),
    explanation=_(
        "Handles this notification again as if it had just arrived: its signature is verified and the "
        "payment or payout it names is checked with CinetPay. Nothing is applied twice."
    ),
    permission="cinetpay.change_cinetpaynotification",
    run=_reprocess,
    form=None,
)


@admin.register(CinetPayNotification)
class CinetPayNotificationAdmin(RecordAdmin):
    """Every request received on the notification URLs, read-only, phone numbers masked."""

    list_display = ("received", "kind", "reference", "valid", "processed", "result")
    list_filter = ("received_at", "kind", "valid", "processed")
    search_fields = ("reference__startswith",)
    sortable_by = ("received", "reference")
    fieldsets = (
        (
            None,
            {"fields": ("kind", "reference", "payment", "received_at", "valid", "processed", "processed_at")},
        ),
        (_("Outcome"), {"fields": ("result", "error")}),
        (_("Request"), {"fields": ("method", "remote_addr", "masked_form")}),
        (_("Technical detail"), {"classes": ("collapse",), "fields": ("headers", "traceback")}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)
    object_actions = (REPROCESS,)
    export_columns = (
        Column(_("received"), lambda n: n.received_at),
        Column(_("kind"), lambda n: n.get_kind_display()),
        Column(_("reference"), lambda n: n.reference),
        Column(_("IP address"), lambda n: n.remote_addr),
        Column(_("signature valid"), lambda n: n.valid),
        Column(_("processed"), lambda n: n.processed),
        Column(_("result"), lambda n: n.result),
    )

    received = date_column("received_at", _("received"))

    @admin.display(description=_("payment"))
    def payment(self, notification: CinetPayNotification) -> SafeString | str:
        return link(self.admin_site, notification.transaction)

    @admin.display(description=_("form fields"))
    def masked_form(self, notification: CinetPayNotification) -> str:
        """The POSTed fields, phone numbers masked (the raw body stays in the database for reprocessing)."""
        return "\n".join(
            f"{name} = {mask_phone(value) if _is_phone(name) else value}" for name, value in notification.form
        )


def _is_phone(field_name: str) -> bool:
    """Notification fields that carry a phone number (payment: cel_phone_num; transfer: receiver)."""
    return "phone" in field_name or field_name == "receiver"
