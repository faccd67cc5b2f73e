"""URLs of the tutorial's shop."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),  # log in, log out
    path("payments/", include("django_cinetpay.urls")),  # namespace "cinetpay"
    path("cinetpay-simulator/", include("django_cinetpay.simulator.urls")),  # development only
    path("", include("market.urls")),
]
