"""Thin views: parse, authorise, call a service, render.

Views that CinetPay or a customer coming back from CinetPay reach are ``login_not_required``, so that
Django's ``LoginRequiredMiddleware`` lets them through; they decide themselves what a visitor may learn.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import exceptions, services
from .adapter import get_adapter
from .forms import PaymentForm
from .ids import is_our_id, is_payment_token
from .models import CinetPayTransaction, EscrowTransaction, NotificationKind
from .reading import failure_reason, payout_needs_staff, resolution_payout
from .services import notifications, recheck, webhooks
from .states import PAYMENT_FAILED_STATES, PaymentStatus

logger = logging.getLogger("django_cinetpay")

#: A return visit or a status poll re-checks an open payment with CinetPay at most this often, so a public
#: URL cannot be used to hammer CinetPay with the merchant's key (which would get it throttled: 429).
STATUS_RECHECK_INTERVAL = dt.timedelta(seconds=10)


def _recheck_if_due(tx: CinetPayTransaction, origin: str) -> CinetPayTransaction:
    """Ask CinetPay about a payment whose outcome may still change (open, or failed but still payable on
    the same checkout) and that was not checked in the last few seconds; trouble changes nothing."""
    if not recheck.may_still_change(tx):
        return tx
    if tx.last_checked_at is not None and timezone.now() - tx.last_checked_at < STATUS_RECHECK_INTERVAL:
        return tx
    try:
        return services.refresh_payment(tx, actor=services.Actor.check(origin)).transaction
    except exceptions.CinetPayError as exc:
        logger.warning("Re-check (%s) failed for %s: %s", origin, tx.transaction_id, exc)
        return tx


def _payment_for(
    request: HttpRequest, transaction_id: str, *, buyer_only: bool = False
) -> CinetPayTransaction:
    """The payment, if ``request.user`` is its buyer (or seller); 404 otherwise, so ids leak nothing."""
    qs = CinetPayTransaction.objects.select_related("buyer", "seller")
    tx = get_object_or_404(qs, transaction_id=transaction_id)
    allowed = {tx.buyer_id} if buyer_only else {tx.buyer_id, tx.seller_id}
    if request.user.pk not in allowed:
        raise Http404
    return tx


def _error_text(exc: Exception) -> str:
    if isinstance(exc, exceptions.CinetPayAPIError):
        return _("CinetPay refused the payment (code %(code)s: %(message)s). %(hint)s") % {
            "code": exc.code,
            "message": exc.message,
            "hint": _(exc.hint),
        }
    if isinstance(exc, exceptions.CinetPayNetworkError):
        return _("CinetPay could not be reached. Please try again in a moment.")
    return str(exc)


@login_required
@transaction.non_atomic_requests  # calls CinetPay: never inside a request-wide transaction holding locks
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, transaction_id: str) -> HttpResponse:
    """The payment form (seed: ``initiate_cinetpay_payment``). POST starts the checkout at CinetPay."""
    tx = _payment_for(request, transaction_id, buyer_only=True)
    if tx.status == PaymentStatus.ACCEPTED:
        return redirect("cinetpay:success", transaction_id=tx.transaction_id)
    if tx.status == PaymentStatus.PENDING and tx.payment_url and request.method == "POST":
        return HttpResponseRedirect(tx.payment_url)
    error = ""
    if request.method == "POST":
        form = PaymentForm(request.POST, channels=tx.channels, currency=tx.currency)
        if form.is_valid():
            try:
                url = services.start_checkout(
                    tx,
                    customer=form.customer_data(),
                    channels=form.cleaned_data["channel"],
                    actor=services.Actor.for_user(request.user),
                )
            except (exceptions.CinetPayError, exceptions.CinetPayConfigurationError) as exc:
                logger.warning("Checkout start failed for %s: %s", tx.transaction_id, exc)
                error = (
                    _error_text(exc)
                    if not isinstance(exc, exceptions.CinetPayConfigurationError)
                    else _("Online payment is not configured on this site. Please contact us.")
                )
            else:
                return HttpResponseRedirect(url)
    else:
        initial = {name: getattr(tx, name) for name in PaymentForm.base_fields if getattr(tx, name, "")}
        initial = {**get_adapter().get_customer_initial(request, tx), **initial}
        form = PaymentForm(initial=initial, channels=tx.channels, currency=tx.currency)
    return render(
        request,
        "cinetpay/payment_form.html",
        {"transaction": tx, "form": form, "error": error},
        status=400 if error else 200,
    )


def _webhook(request: HttpRequest, kind: str) -> HttpResponse:
    """What both notification URLs do. GET/HEAD: CinetPay's liveness ping. POST: store the request
    before trusting it, then process it within the webhook's deadline; the answer carries the outcome
    for CinetPay's logs (503: not confirmed in time, CinetPay delivers again)."""
    if request.method != "POST":
        return HttpResponse("OK", content_type="text/plain")
    notification = notifications.record_notification(request, kind)
    result = webhooks.process_webhook(notification)
    return HttpResponse(result.message, status=result.status, content_type="text/plain")


@login_not_required
@csrf_exempt
@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def notify(request: HttpRequest) -> HttpResponse:
    """CinetPay's payment notification (IPN): verified by its x-token, then confirmed by a check call."""
    return _webhook(request, NotificationKind.PAYMENT)


@login_not_required
@csrf_exempt
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def return_view(request: HttpRequest) -> HttpResponse:
    """Where CinetPay sends the customer back (GET or POST, ``transaction_id`` and ``token``).

    Only the payment's buyer learns anything here: their payment is re-checked (at most every few
    seconds) and they are redirected to its result page. Anyone else gets the same neutral page for every
    id, known or not, and nothing is looked up at CinetPay or written. CinetPay's checkout posts the
    customer back from its own site, and browsers leave a ``SameSite=Lax`` session cookie off such a
    cross-site POST: a POST without a session is first turned into a GET of the same URL, which carries it.
    """
    query = _return_query(request.POST if request.method == "POST" else request.GET)
    back = reverse("cinetpay:return") + (f"?{urlencode(query)}" if query else "")
    if not request.user.is_authenticated and request.method == "POST":
        return HttpResponseRedirect(back, status=303)
    tx = _returning_payment(request, query)
    if tx is None:
        return render(request, "cinetpay/payment_return.html", {"login_url": redirect_to_login(back).url})
    tx = _recheck_if_due(tx, "return")
    return redirect(_page_for(tx), transaction_id=tx.transaction_id)


def _return_query(params: QueryDict) -> dict[str, str]:
    """The ``transaction_id`` and ``token`` CinetPay sends back (older SDKs: ``cpm_trans_id`` and
    ``payment_token``), each kept only if it has the shape of one, so nothing else reaches a query."""
    transaction_id = (params.get("transaction_id") or params.get("cpm_trans_id") or "").strip()
    token = (params.get("token") or params.get("payment_token") or "").strip()
    query = {}
    if is_our_id(transaction_id):
        query["transaction_id"] = transaction_id
    if is_payment_token(token):
        query["token"] = token
    return query


def _returning_payment(request: HttpRequest, query: dict[str, str]) -> CinetPayTransaction | None:
    """The payment the return URL names, if ``request.user`` is its buyer; ``None`` for anyone else."""
    if not request.user.is_authenticated:
        return None
    payments = CinetPayTransaction.objects.filter(buyer_id=request.user.pk)
    if "transaction_id" in query:
        return payments.filter(transaction_id=query["transaction_id"]).first()
    if "token" in query:
        return payments.filter(payment_token=query["token"]).first()
    return None


def _page_for(tx: CinetPayTransaction) -> str:
    if tx.status == PaymentStatus.ACCEPTED:
        return "cinetpay:success"
    if tx.status in PAYMENT_FAILED_STATES:
        return "cinetpay:failed"
    return "cinetpay:pending"


@login_required
@require_GET
def success(request: HttpRequest, transaction_id: str) -> HttpResponse:
    tx = _payment_for(request, transaction_id)
    if tx.status != PaymentStatus.ACCEPTED:
        return redirect(_page_for(tx), transaction_id=tx.transaction_id)
    context = {"transaction": tx, "is_buyer": request.user.pk == tx.buyer_id}
    return render(request, "cinetpay/payment_success.html", context)


@login_required
@require_GET
def failed(request: HttpRequest, transaction_id: str) -> HttpResponse:
    tx = _payment_for(request, transaction_id)
    if tx.status not in PAYMENT_FAILED_STATES:
        return redirect(_page_for(tx), transaction_id=tx.transaction_id)
    is_buyer = request.user.pk == tx.buyer_id
    context = {"transaction": tx, "is_buyer": is_buyer, "reason": failure_reason(tx, is_buyer=is_buyer)}
    return render(request, "cinetpay/payment_failed.html", context)


@login_required
@require_GET
def pending(request: HttpRequest, transaction_id: str) -> HttpResponse:
    tx = _payment_for(request, transaction_id)
    if tx.status == PaymentStatus.ACCEPTED or tx.status in PAYMENT_FAILED_STATES:
        return redirect(_page_for(tx), transaction_id=tx.transaction_id)
    context = {"transaction": tx, "is_buyer": request.user.pk == tx.buyer_id}
    return render(request, "cinetpay/payment_pending.html", context)


@login_required
@transaction.non_atomic_requests  # may call CinetPay: never inside a request-wide transaction
@require_GET
def status(request: HttpRequest, transaction_id: str) -> JsonResponse:
    """JSON status for live pages (buyer or seller only). Re-checks an open payment at most every 10 s."""
    tx = _recheck_if_due(_payment_for(request, transaction_id), "status poll")
    return JsonResponse(
        {
            "transaction_id": tx.transaction_id,
            "status": tx.status,
            "status_display": tx.get_status_display(),
            "is_paid": tx.is_paid,
            "is_final": tx.status == PaymentStatus.ACCEPTED or tx.status in PAYMENT_FAILED_STATES,
            "amount": tx.amount,
            "currency": tx.currency,
            "payment_method": tx.payment_method,
            "paid_at": tx.paid_at.isoformat() if tx.paid_at else None,
            "url": reverse(_page_for(tx), kwargs={"transaction_id": tx.transaction_id}),
        }
    )


# --- escrow: the buyer confirms receipt or reports a problem -------------------------------------------

#: Longest dispute reason kept (the rest of a longer text is dropped).
DISPUTE_REASON_MAX_LENGTH = 2000


def _escrow_for(request: HttpRequest, transaction_id: str) -> EscrowTransaction:
    """The escrow of a payment ``request.user`` took part in; 404 for anyone else, so ids leak nothing.

    The seller may look; what they may do is the service's decision (403).
    """
    qs = EscrowTransaction.objects.select_related("payment")
    escrow = get_object_or_404(qs, payment__transaction_id=transaction_id)
    if request.user.pk not in {escrow.payment.buyer_id, escrow.payment.seller_id}:
        raise Http404
    return escrow


def _escrow_page(
    request: HttpRequest, template: str, escrow: EscrowTransaction, *, error: str = "", status: int = 200
) -> HttpResponse:
    payout = resolution_payout(escrow)
    context = {
        "escrow": escrow,
        "transaction": escrow.payment,
        "is_buyer": request.user.pk == escrow.payment.buyer_id,
        "payout": payout,
        "payout_needs_staff": payout is not None and payout_needs_staff(payout),
        "error": error,
        "reason": request.POST.get("reason", ""),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, template, context, status=status)


def _escrow_view(
    request: HttpRequest, transaction_id: str, template: str, act: Callable[[EscrowTransaction], object]
) -> HttpResponse:
    """GET: the page. POST: ``act`` on the escrow, then back to the page (303), or the page saying why not."""
    escrow = _escrow_for(request, transaction_id)
    if request.method != "POST":
        return _escrow_page(request, template, escrow)
    try:
        act(escrow)
    except exceptions.PermissionDeniedError:
        return _escrow_page(request, template, escrow, error=_("Only the buyer can do this."), status=403)
    except exceptions.InvalidInputError as exc:
        return _escrow_page(request, template, escrow, error=str(exc), status=400)
    except exceptions.InvalidTransitionError:
        escrow.refresh_from_db()
        error = _("This is no longer possible: the purchase is now “%(status)s”.") % {
            "status": escrow.get_status_display()
        }
        return _escrow_page(request, template, escrow, error=error, status=409)
    return HttpResponseRedirect(_next_url(request), status=303)


def _next_url(request: HttpRequest) -> str:
    """After a buyer's action: the host's ``next`` page when it is on this site, else this page."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else request.path


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, transaction_id: str) -> HttpResponse:
    """The buyer confirms receipt (POST, CSRF-protected); GET shows the purchase and where its money is."""
    return _escrow_view(
        request,
        transaction_id,
        "cinetpay/escrow_confirm.html",
        lambda e: services.confirm_receipt(e, request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute(request: HttpRequest, transaction_id: str) -> HttpResponse:
    """The buyer reports a problem with a reason (POST, CSRF-protected); GET shows the form."""
    reason = request.POST.get("reason", "")[:DISPUTE_REASON_MAX_LENGTH]
    return _escrow_view(
        request,
        transaction_id,
        "cinetpay/escrow_dispute.html",
        lambda e: services.open_dispute(e, request.user, reason),
    )


@login_not_required
@csrf_exempt
@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def transfer_notify(request: HttpRequest) -> HttpResponse:
    """CinetPay's transfer notification. Not signed: the body only names the payout to look up."""
    return _webhook(request, NotificationKind.TRANSFER)


@login_not_required
@csrf_exempt
@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def api_notify(request: HttpRequest) -> HttpResponse:
    """The CinetPay API's notification, for payments and transfers alike: a payment's must carry the
    ``notify_token`` given at its start; then a status call or a transfer look-up decides."""
    return _webhook(request, NotificationKind.API)
