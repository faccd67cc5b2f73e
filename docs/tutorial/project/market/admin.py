from django.contrib import admin

from .models import Listing, Wallet

admin.site.register(Listing, list_display=["title", "price", "seller", "sold"])
admin.site.register(Wallet)
