from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from django_cinetpay.states import EscrowStatus

from .forms import ListingForm
from .models import Game, Listing, Message, Profile, Purchase


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    list_display = ["name", "platform"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    form = ListingForm  # the seller's rules: a price and a title CinetPay takes
    fields = ["game", "seller", "kind", "title", "description", "price", "currency", "status"]
    list_display = ["title", "game", "seller", "price", "currency", "status"]
    list_filter = ["status", "game", "kind"]
    search_fields = ["title", "seller__username"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "phone_prefix", "phone"]
    search_fields = ["user__username"]


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["created_at", "author", "event", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EscrowStatusFilter(admin.SimpleListFilter):
    """Where each purchase's money is, so staff find disputes (``?escrow=disputed``) in one click."""

    title = _("escrow")
    parameter_name = "escrow"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return EscrowStatus.choices

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        value = self.value()
        return queryset.filter(payment__escrow__status=value) if value else queryset


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    """Purchases with their chat, so staff deciding a dispute can read what buyer and seller said."""

    list_display = ["listing", "buyer", "payment_status", "escrow_status", "created_at"]
    list_select_related = ["listing", "buyer", "payment", "payment__escrow"]
    list_filter = [EscrowStatusFilter]
    search_fields = ["listing__title", "buyer__username", "payment__transaction_id"]
    readonly_fields = ["listing", "buyer", "payment", "created_at"]
    inlines = [MessageInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # purchases start from the site's CinetPay button only

    @admin.display(description=_("payment"), ordering="payment__status")
    def payment_status(self, obj: Purchase) -> str:
        return obj.payment.get_status_display()

    @admin.display(description=_("escrow"), ordering="payment__escrow__status")
    def escrow_status(self, obj: Purchase) -> str:
        escrow = obj.escrow
        return escrow.get_status_display() if escrow else "—"
