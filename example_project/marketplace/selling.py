"""The seller's side: put a listing on sale, tell the buyer it is delivered, cancel a sale.

Cancelling goes through django-cinetpay's ``services.refund_escrow`` (the seller may refund while the
money is held); "delivered" only posts a message in the chat: it tells the buyer to check and confirm,
and moves no money.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from django_cinetpay import exceptions, services
from django_cinetpay.states import EscrowStatus

from .forms import ListingForm
from .models import Message, Purchase
from .views import participant_purchase

#: Longest cancellation reason kept (the rest is dropped), as for a buyer's dispute reason.
CANCEL_REASON_MAX_LENGTH = 2000


@login_required
@require_http_methods(["GET", "POST"])
def sell(request: HttpRequest) -> HttpResponse:
    """The "Sell" page: a new listing, checked with django-cinetpay's rules before it is on sale."""
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        listing = form.save(commit=False)
        listing.seller = request.user
        listing.save()
        messages.success(request, _("Your listing is on sale."))
        return redirect(listing)
    return render(request, "marketplace/sell.html", {"form": form}, status=400 if form.errors else 200)


def _sale(request: HttpRequest, pk: int) -> Purchase:
    """The paid purchase of one of ``request.user``'s listings; 404 for anyone but its two parties, 403
    for the buyer: these actions are the seller's."""
    purchase = participant_purchase(request, pk)
    if purchase.listing.seller_id != request.user.pk:
        raise exceptions.PermissionDeniedError(_("Only the seller can do this."))
    if purchase.escrow is None:
        raise Http404
    return purchase


@login_required
@require_POST
def mark_delivered(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller says it is delivered: a message in the chat asks the buyer to check and confirm (once)."""
    purchase = _sale(request, pk)
    if purchase.escrow.status != EscrowStatus.HELD:
        messages.error(request, _("This sale is no longer waiting for delivery."))
    elif not purchase.messages.filter(event=Message.Event.DELIVERED).exists():
        Message.objects.create(purchase=purchase, event=Message.Event.DELIVERED)
    return redirect(purchase)


@login_required
@require_POST
def cancel_sale(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller cancels a sale whose money is still held: the buyer is refunded (a service decides)."""
    purchase = _sale(request, pk)
    reason = request.POST.get("reason", "")[:CANCEL_REASON_MAX_LENGTH]
    try:
        services.refund_escrow(purchase.escrow, request.user, reason)
    except exceptions.InvalidInputError:
        messages.error(request, _("Say why you cancel the sale: the buyer reads it."))
    except (exceptions.InvalidTransitionError, exceptions.PermissionDeniedError):
        messages.error(
            request, _("This sale can no longer be cancelled: the buyer confirmed or disputed it.")
        )
    else:
        messages.success(request, _("The sale is cancelled: the buyer is being refunded."))
    return redirect(purchase)
