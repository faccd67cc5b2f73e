"""Admin: the messages sent to buyers and sellers, read-only, with their state and the provider's error.

Nobody adds, edits or deletes a message here: each is the record of something said to a person. A
failed one can be sent again by staff with ``cinetpay.resend_message``; the admin's history keeps who.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..changelists import LargeTableAdmin
from ..messaging import delivery
from ..models import Message
from .base import NothingToEdit


@admin.register(Message)
class MessageAdmin(NothingToEdit, LargeTableAdmin):
    # Django's own list: the package's record lists (admin/cinetpay/change_list.html) add a CSV export
    # of money records this list does not have.
    change_list_template = "admin/change_list.html"
    list_display = (
        "created_at",
        "kind",
        "channel",
        "recipient",
        "masked_address",
        "payment",
        "state",
        "attempts",
        "sent_at",
    )
    list_filter = ("created_at", "state", "channel", "kind")
    # An address typed in full (an index serves it), a payment's id, a recipient's login name.
    search_fields = ("address__exact",)
    search_related = (("payment", "transaction_id"), ("recipient", get_user_model().USERNAME_FIELD))
    sortable_by = ("created_at",)
    list_select_related = ("recipient", "payment")
    exclude = ("address",)
    readonly_fields = [f.name for f in Message._meta.fields if f.name != "address"] + ["masked_address"]
    actions = ["send_again"]

    @admin.display(description=_("address"))
    def masked_address(self, obj: Message) -> str:
        return obj.masked_address

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("cinetpay.resend_message")

    @admin.action(description=_("Send failed messages again"), permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        again = [message for message in queryset if delivery.resend(message)]
        for message in again:
            self.log_change(request, message, [{"changed": {"fields": ["state"]}}])
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message will be sent again.",
                "%(count)d failed messages will be sent again.",
                len(again),
            )
            % {"count": len(again)},
            messages.SUCCESS if again else messages.WARNING,
        )
