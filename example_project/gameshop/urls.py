"""URLs of the example game marketplace.

``/paiements/`` is django-cinetpay (namespace ``cinetpay``); ``/cinetpay-simulator/`` is the fake CinetPay
the site talks to when no real keys are set. Remove that line and the app to go live.
"""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = admin.site.site_title = "GameShop"

urlpatterns = [
    # Pages that name no icon (the admin's) make browsers ask for /favicon.ico: the site's icon, not a 404.
    path("favicon.ico", RedirectView.as_view(url=static("marketplace/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("comptes/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("paiements/", include("django_cinetpay.urls")),
    path("", include("marketplace.urls")),
]

if settings.CINETPAY_SIMULATOR:
    urlpatterns.insert(0, path("cinetpay-simulator/", include("django_cinetpay.simulator.urls")))
