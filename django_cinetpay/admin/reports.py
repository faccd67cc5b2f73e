"""The staff dashboard (reports and statistics), its downloads and the health page, in the admin.

Registered on the :class:`~django_cinetpay.models.Report` proxy so it sits in the admin index beside the
records it sums up, behind its own permission ``cinetpay.view_reports`` (a superuser has it). Nothing
here queries or sums: :mod:`django_cinetpay.reports` and :mod:`django_cinetpay.health` do, for the command
too; these views read the request, check the permission and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exports import csv_response
from ..health import run_checks
from ..models import Report
from ..reports import build_report
from ..reports.dashboard import currency_view
from ..reports.forms import read_report_form
from ..reports.labels import GRANULARITY_LABELS
from ..reports.serialise import CSV_COLUMNS, to_dict, to_rows
from .base import NothingToEdit

PERMISSION = "cinetpay.view_reports"


@admin.register(Report)
class ReportAdmin(NothingToEdit, admin.ModelAdmin):
    """One page of figures instead of a list; no add, change or delete (there is nothing to edit)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(PERMISSION)

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.changelist_view), name=f"{prefix}_changelist"),
            path("health/", view(self.health_view), name=f"{prefix}_health"),
            path("download.<str:fmt>", view(self.download_view), name=f"{prefix}_download"),
        ]

    def _context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "dashboard_url": reverse("admin:cinetpay_report_changelist", current_app=self.admin_site.name),
            "health_url": reverse("admin:cinetpay_report_health", current_app=self.admin_site.name),
        }

    def _download_url(self, fmt: str) -> str:
        return reverse("admin:cinetpay_report_download", args=[fmt], current_app=self.admin_site.name)

    def _check(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._check(request)
        form, period, currency = read_report_form(request.GET)
        report = build_report(period, currency=currency)
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        context = {
            **self._context(request, _("Reports and statistics")),
            "form": form,
            "period": period,
            "grouping": GRANULARITY_LABELS[period.granularity],
            "time_zone": timezone.get_current_timezone_name(),
            "currencies": [
                currency_view(figures, period, report.generated_at) for figures in report.currencies.values()
            ],
            "csv_url": self._download_url("csv") + query,
            "json_url": self._download_url("json") + query,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/cinetpay/report/dashboard.html", context)

    def download_view(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        """The dashboard's figures as CSV or JSON (integer amounts), for the same form values."""
        self._check(request)
        form, period, currency = read_report_form(request.GET)
        if fmt not in ("csv", "json") or not form.is_valid():
            errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            return HttpResponseBadRequest(errors or _("Download as csv or json."), content_type="text/plain")
        report = build_report(period, currency=currency)
        name = f"cinetpay-report-{period.since.isoformat()}-{period.until.isoformat()}"
        if fmt == "csv":
            return csv_response(f"{name}.csv", CSV_COLUMNS, to_rows(report))
        response = JsonResponse(to_dict(report), json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response

    def health_view(self, request: HttpRequest) -> HttpResponse:
        """The health checks, CinetPay's included unless ``?network=0`` (its answers are cached briefly)."""
        self._check(request)
        report = run_checks(network=request.GET.get("network") != "0")
        if request.GET.get("format") == "json":
            return JsonResponse(report.to_dict(), json_dumps_params={"ensure_ascii": False})
        context = {**self._context(request, _("Health")), "health": report}
        return TemplateResponse(request, "admin/cinetpay/report/health.html", context)
