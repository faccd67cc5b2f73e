"""Pages of the game marketplace. Buying hands over to django-cinetpay; money states are only read here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from django_cinetpay import services
from django_cinetpay.client.vocabulary import FORBIDDEN_DESCRIPTION_CHARS
from django_cinetpay.exceptions import PaymentValidationError
from django_cinetpay.states import PaymentStatus

from .forms import MessageForm
from .models import Game, Listing, Purchase
from .panel import purchase_panel


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The listings for sale, optionally narrowed to one game (``?game=<slug>``)."""
    games = Game.objects.all()
    listings = Listing.objects.available().select_related("game", "seller")
    current = None
    if slug := request.GET.get("game"):
        current = get_object_or_404(Game, slug=slug)
        listings = listings.filter(game=current)
    return render(
        request, "marketplace/home.html", {"games": games, "listings": listings, "current_game": current}
    )


@require_GET
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("game", "seller"), pk=pk)
    return render(request, "marketplace/listing_detail.html", {"listing": listing})


def payment_description(listing: Listing) -> str:
    """What the buyer sees on CinetPay's page: game and title, without the characters CinetPay refuses."""
    text = f"{listing.game.name} - {listing.title}"
    return "".join(c for c in text if c not in FORBIDDEN_DESCRIPTION_CHARS)[:255]


@login_required
@require_POST
def buy(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Payer avec CinetPay" button: record the payment, then hand over to ``cinetpay:pay``.

    A buyer who comes back to a listing they already started paying continues that payment, so a
    second click never creates a second CinetPay transaction for the same purchase.
    """
    listing = get_object_or_404(Listing.objects.select_related("game", "seller"), pk=pk)
    if listing.status != Listing.Status.AVAILABLE:
        messages.error(request, _("This listing is no longer for sale."))
        return redirect(listing)
    if listing.seller_id == request.user.pk:
        messages.error(request, _("You cannot buy your own listing."))
        return redirect(listing)
    unfinished = Purchase.objects.filter(
        listing=listing,
        buyer=request.user,
        payment__status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING],
    ).first()
    if unfinished is not None:
        return redirect("cinetpay:pay", transaction_id=unfinished.payment.transaction_id)
    try:
        with transaction.atomic():
            payment = services.create_payment(
                buyer=request.user,
                seller=listing.seller,
                amount=listing.price,
                currency=listing.currency,
                description=payment_description(listing),
                order=listing,
            )
            Purchase.objects.create(listing=listing, buyer=request.user, payment=payment)
    except PaymentValidationError as exc:
        messages.error(request, str(exc))
        return redirect(listing)
    return redirect("cinetpay:pay", transaction_id=payment.transaction_id)


def _purchases_of(user: object) -> QuerySet[Purchase]:
    """What ``user`` bought (any payment state) and sold (paid purchases only: the rest is not a sale)."""
    return (
        Purchase.objects.filter(
            Q(buyer=user) | Q(listing__seller=user, payment__status=PaymentStatus.ACCEPTED)
        )
        .select_related("listing__game", "listing__seller", "buyer", "payment", "payment__escrow")
        .distinct()
    )


@login_required
@require_GET
def purchase_list(request: HttpRequest) -> HttpResponse:
    purchases = list(_purchases_of(request.user))
    return render(
        request,
        "marketplace/purchase_list.html",
        {
            "bought": [p for p in purchases if p.buyer_id == request.user.pk],
            "sold": [p for p in purchases if p.buyer_id != request.user.pk],
        },
    )


def participant_purchase(request: HttpRequest, pk: int) -> Purchase:
    """The purchase, if the user is its buyer or seller; 404 for anyone else, so ids leak nothing."""
    purchase = get_object_or_404(
        Purchase.objects.select_related("listing__game", "listing__seller", "buyer", "payment"), pk=pk
    )
    if not purchase.is_participant(request.user):
        raise Http404
    return purchase


def _mark_read(purchase: Purchase, user: object) -> None:
    field = "buyer_read_at" if purchase.buyer_id == getattr(user, "pk", None) else "seller_read_at"
    Purchase.objects.filter(pk=purchase.pk).update(**{field: timezone.now()})


@login_required
@require_GET
def purchase_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The transaction page: payment status (live), escrow state and actions, and the chat."""
    purchase = participant_purchase(request, pk)
    _mark_read(purchase, request.user)
    context = {"purchase": purchase, "panel": purchase_panel(purchase, request.user), "form": MessageForm()}
    return render(request, "marketplace/purchase_detail.html", context)


@login_required
@require_GET
def purchase_live(request: HttpRequest, pk: int) -> JsonResponse:
    """What the transaction page polls: the escrow panel and the chat, rendered here so they stay in sync.

    ``state`` and ``last_message`` let the page replace a part only when it changed, so a half-typed
    dispute reason is not wiped by a poll that brings nothing new.
    """
    purchase = participant_purchase(request, pk)
    _mark_read(purchase, request.user)
    panel = purchase_panel(purchase, request.user)
    context = {"purchase": purchase, "panel": panel}
    return JsonResponse(
        {
            "state": panel.state,
            "last_message": purchase.messages.order_by("-pk").values_list("pk", flat=True).first() or 0,
            "panel": render_to_string("marketplace/_panel.html", context, request=request),
            "chat": render_to_string("marketplace/_chat.html", context, request=request),
        }
    )


@login_required
@require_POST
def post_message(request: HttpRequest, pk: int) -> HttpResponse:
    purchase = participant_purchase(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        message = form.save(commit=False)
        message.purchase = purchase
        message.author = request.user
        message.save()
    else:
        messages.error(request, _("Write a message before sending it."))
    return redirect(purchase.get_absolute_url() + "#chat")
