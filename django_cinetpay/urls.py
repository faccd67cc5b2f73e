from django.urls import path

from . import views

app_name = "cinetpay"

urlpatterns = [
    path("notify/", views.notify, name="notify"),
    path("return/", views.return_view, name="return"),
    path("transfer/notify/", views.transfer_notify, name="transfer-notify"),
    path("<str:transaction_id>/pay/", views.pay, name="pay"),
    path("<str:transaction_id>/success/", views.success, name="success"),
    path("<str:transaction_id>/failed/", views.failed, name="failed"),
    path("<str:transaction_id>/pending/", views.pending, name="pending"),
    path("<str:transaction_id>/status/", views.status, name="status"),
    path("<str:transaction_id>/confirm/", views.confirm, name="confirm"),
    path("<str:transaction_id>/dispute/", views.dispute, name="dispute"),
]
