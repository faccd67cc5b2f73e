from django.urls import path

from . import selling, views

app_name = "marketplace"

urlpatterns = [
    path("", views.home, name="home"),
    path("annonces/nouvelle/", selling.sell, name="sell"),
    path("annonces/<int:pk>/", views.listing_detail, name="listing"),
    path("annonces/<int:pk>/acheter/", views.buy, name="buy"),
    path("transactions/", views.purchase_list, name="purchases"),
    path("transactions/<int:pk>/", views.purchase_detail, name="purchase"),
    path("transactions/<int:pk>/live/", views.purchase_live, name="purchase-live"),
    path("transactions/<int:pk>/messages/", views.post_message, name="post-message"),
    path("transactions/<int:pk>/livre/", selling.mark_delivered, name="mark-delivered"),
    path("transactions/<int:pk>/annuler/", selling.cancel_sale, name="cancel-sale"),
]
