from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("", views.listings, name="listings"),
    path("listings/<int:listing_id>/buy/", views.buy, name="buy"),
]
