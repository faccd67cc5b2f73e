"""The app's URLs (namespace ``cinetpay``).

A payment's pages take its transaction id in the path; a path with anything that cannot be one (see
:mod:`django_cinetpay.ids`) is a plain 404, answered before any view or query runs.
"""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import URLPattern, path, re_path

from . import views
from .ids import ID_REGEX

app_name = "cinetpay"


def _payment_page(name: str, view: Callable[..., HttpResponse]) -> URLPattern:
    """``<transaction_id>/<name>/``, named ``name``."""
    return re_path(rf"^(?P<transaction_id>{ID_REGEX})/{name}/$", view, name=name)


urlpatterns = [
    path("notify/", views.notify, name="notify"),
    path("return/", views.return_view, name="return"),
    path("transfer/notify/", views.transfer_notify, name="transfer-notify"),
    path("api/notify/", views.api_notify, name="api-notify"),
    _payment_page("pay", views.pay),
    _payment_page("success", views.success),
    _payment_page("failed", views.failed),
    _payment_page("pending", views.pending),
    _payment_page("status", views.status),
    _payment_page("confirm", views.confirm),
    _payment_page("dispute", views.dispute),
]
