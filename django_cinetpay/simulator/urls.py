"""Include under any prefix, e.g. ``path("cinetpay-simulator/", include("django_cinetpay.simulator.urls"))``,
then set ``CINETPAY_CHECKOUT_API_URL = "<site>/cinetpay-simulator/v2"`` and
``CINETPAY_TRANSFER_API_URL = "<site>/cinetpay-simulator/v1"``.
"""

from django.urls import path, re_path

from .views import api, pages

app_name = "cinetpay_simulator"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    re_path(r"^v2/(?P<endpoint>[a-z/]+)$", api.checkout_api, name="checkout-api"),
    re_path(r"^v1/(?P<endpoint>[a-z/]+)$", api.transfer_api, name="transfer-api"),
    path("payment/<str:token>/", pages.checkout, name="checkout"),
    path("payment/<str:token>/resend/", pages.resend_payment_notification, name="payment-resend"),
    path(
        "transfers/<str:client_transaction_id>/<str:action>/", pages.transfer_action, name="transfer-action"
    ),
    path("faults/", pages.add_fault, name="fault-add"),
    path("faults/<int:pk>/delete/", pages.delete_fault, name="fault-delete"),
]
