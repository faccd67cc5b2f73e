from django.contrib import admin
from django.urls import include, path

from . import floors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("payments/", include("django_cinetpay.urls")),
    path("floor/notify/", floors.accepted_notification),
    path("floor/duplicate/", floors.duplicate_notification),
]
