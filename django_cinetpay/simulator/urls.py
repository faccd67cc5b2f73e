"""Include under any prefix, e.g. ``path("cinetpay-simulator/", include("django_cinetpay.simulator.urls"))``,
then set ``CINETPAY_CHECKOUT_API_URL = "<site>/cinetpay-simulator/v2"`` and
``CINETPAY_TRANSFER_API_URL = "<site>/cinetpay-simulator/v1"``. The OAuth API is under ``api/``: a client
whose base URL is ``<site>/cinetpay-simulator/api`` calls the paths it calls on ``https://api.cinetpay.co``
(``/v1/oauth/login``, ``/v1/payment``, ``/v1/payment/{id}``, ``/v1/transfer``, ``/v1/transfer/{id}``,
``/v1/balances``).
"""

from django.urls import path, re_path

from .views import api, pages

app_name = "cinetpay_simulator"

#: Payment tokens and client transaction ids, as the simulator and its merchants make them; any other
#: text (a NUL byte, a surrogate, a huge value) is a 404 before it reaches a query.
TOKEN = r"[A-Za-z0-9_-]{1,100}"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    re_path(r"^v2/(?P<endpoint>[a-z/]+)$", api.checkout_api, name="checkout-api"),
    re_path(r"^v1/(?P<endpoint>[a-z/]+)$", api.transfer_api, name="transfer-api"),
    re_path(r"^api/(?P<endpoint>v1/[a-z/]+[A-Za-z0-9_.-]{0,100})$", api.oauth_api, name="oauth-api"),
    re_path(rf"^payment/(?P<token>{TOKEN})/$", pages.checkout, name="checkout"),
    re_path(
        rf"^payment/(?P<token>{TOKEN})/resend/$", pages.resend_payment_notification, name="payment-resend"
    ),
    re_path(
        rf"^transfers/(?P<client_transaction_id>{TOKEN})/(?P<action>[a-z]+)/$",
        pages.transfer_action,
        name="transfer-action",
    ),
    path("tokens/expire/", pages.expire_tokens, name="tokens-expire"),
    path("faults/", pages.add_fault, name="fault-add"),
    path("faults/<int:pk>/delete/", pages.delete_fault, name="fault-delete"),
]
