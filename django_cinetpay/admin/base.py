"""What the package's record admins share: read-only money records, columns people read, the audit trail,
and the CSV export of every list.

Payments, escrows, payouts, stored notifications and their audit rows are records of money: staff see
them and act on them through audited actions (:mod:`.actions`), never through an add, change or delete
form, whatever permissions they hold.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..changelists import LargeTableAdmin
from ..exceptions import status_label
from ..exports import Column, csv_response
from ..formatting import money
from ..models import StateChange
from .actions import ObjectActionsMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Rows fetched per round trip while an export streams.
EXPORT_CHUNK = 2000


class NothingToEdit:
    """No add, change or delete from the admin, whatever the staff member's permissions: for records of
    money, audit rows, messages and the dashboard, which change only through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StateChangeInline(NothingToEdit, GenericTabularInline):
    """The audit trail of the record, read-only: who or what changed its status, when, and why."""

    model = StateChange
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "from_label", "to_label", "actor", "reason")

    @admin.display(description=_("from"))
    def from_label(self, change: StateChange) -> str:
        return status_label(self.parent_model, change.from_status) if change.from_status else "-"

    @admin.display(description=_("to"))
    def to_label(self, change: StateChange) -> str:
        return status_label(self.parent_model, change.to_status)

    @admin.display(description=_("actor"))
    def actor(self, change: StateChange) -> str:
        kind = change.get_actor_kind_display()
        return f"{kind}: {change.actor_label}" if change.actor_label else str(kind)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Whoever may see the record sees its trail (no separate permission on audit rows)."""
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")


def money_column(field: str, description: StrOrPromise) -> Callable[[Any, Any], str]:
    """A column showing ``field`` as people read money: ``15 000 XOF`` in French."""

    @admin.display(description=description)
    def show(modeladmin: Any, obj: Any) -> str:
        return money(getattr(obj, field), obj.currency)

    return show


def short_datetime(value: datetime.datetime | None) -> str:
    """``01/12/2026 05:45`` in French: the date a list has room for, in the current time zone."""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "-"


def date_column(field: str, description: StrOrPromise) -> Callable[[Any, Any], str]:
    """A column showing ``field`` as a short date, sorted by ``field`` (give it an index)."""

    @admin.display(description=description, ordering=field)
    def show(modeladmin: Any, obj: Any) -> str:
        return short_datetime(getattr(obj, field))

    return show


class RecordAdmin(NothingToEdit, ObjectActionsMixin, LargeTableAdmin):
    """A read-only money record: no add, change or delete; audited actions; a CSV export of its list.

    Subclasses list their export's :attr:`export_columns` and the related rows it reads
    (:attr:`export_select_related`).
    """

    change_list_template = "admin/cinetpay/change_list.html"
    export_columns: Sequence[Column] = ()
    export_select_related: Sequence[str] = ()
    actions = ["export_csv"]

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        export = path(
            "export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)
        )
        return [export, *super().get_urls()]

    @admin.action(description=_("Export the selected rows to CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self.export(queryset)

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """Every row of the list as filtered and searched (the link carries the list's query string)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist") + "?e=1"
            )
        return self.export(changelist.get_queryset(request))

    def export(self, queryset: QuerySet[Any]) -> HttpResponseBase:
        """``queryset`` as a CSV download, streamed in chunks (see :mod:`django_cinetpay.exports`)."""
        model: type[Model] = self.model
        if self.export_select_related:  # none given: nothing joined (a bare select_related() joins all)
            queryset = queryset.select_related(*self.export_select_related)
        rows = queryset.iterator(chunk_size=EXPORT_CHUNK)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(f"{model._meta.model_name}-{stamp}.csv", self.export_columns, rows)
