from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from django_cinetpay import services
from django_cinetpay.exceptions import PaymentValidationError

from .models import Listing


def listings(request):
    return render(request, "market/listings.html", {"listings": Listing.objects.filter(sold=False)})


@login_required
@require_POST
def buy(request, listing_id):
    listing = get_object_or_404(Listing, pk=listing_id, sold=False)
    try:
        payment = services.create_payment(
            buyer=request.user,
            seller=listing.seller,
            amount=listing.price,
            currency="XOF",
            description=listing.title,
            order=listing,
        )
    except PaymentValidationError as exc:  # e.g. a seller buying their own listing
        messages.error(request, " ".join(exc.messages))
        return redirect("market:listings")
    # The package's payment form, then CinetPay's checkout page.
    return redirect("cinetpay:pay", transaction_id=payment.transaction_id)
