"""The simulator's pages: the checkout a customer pays on, and a dashboard to watch and steer it.

The checkout acts like CinetPay's: the customer's choice changes the payment, CinetPay's notification is
posted to the merchant's notify_url (synchronously, so that the merchant knows before the customer is
back), then the browser is sent to return_url by an auto-submitted POST form (Checkout v2), or to
success_url or failed_url by a redirect (OAuth API).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ...formatting import money
from ..conf import merchant_name
from ..engine import (
    Api,
    CustomerError,
    Outcome,
    Payment,
    Simulator,
    TransferError,
    TreatmentStatus,
    UnknownPaymentError,
    exit_url,
)
from ..forms import CheckoutForm, FaultForm
from ..runtime import build_simulator


def _payment(sim: Simulator, token: str) -> Payment:
    try:
        return sim.checkout.find(token=token)
    except UnknownPaymentError:
        raise Http404("No simulated payment has this token.") from None


@login_not_required  # CinetPay's checkout knows nothing of the merchant's logins
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, token: str) -> HttpResponse:
    """The checkout page at ``payment_url``."""
    sim = build_simulator(request)
    payment = _payment(sim, token)
    form = CheckoutForm(request.POST or None, payment=payment)
    if request.method == "POST" and form.is_valid():
        outcome = _outcome(request)
        try:
            if outcome is None:
                raise CustomerError("Choose to pay, refuse, cancel or wait.")
            sim.checkout.act(
                payment,
                outcome,
                method=form.cleaned_data["method"],
                phone=form.cleaned_data["phone"],
                prefix=form.cleaned_data["phone_prefix"],
                notification=form.notification_fault(),
            )
        except CustomerError as exc:
            form.add_error(None, str(exc))
        else:
            if outcome is Outcome.WAIT:
                return redirect("cinetpay_simulator:checkout", token=token)
            return return_to_merchant(request, _payment(sim, token))
    context = {
        "payment": payment,
        "exit_url": exit_url(payment),
        "form": form,
        "merchant": merchant_name(),
        "amount": money(payment.amount),
        "outcomes": {outcome.name: outcome.value for outcome in Outcome},
    }
    return render(request, "cinetpay_simulator/checkout.html", context, status=400 if form.errors else 200)


def _outcome(request: HttpRequest) -> Outcome | None:
    try:
        return Outcome(request.POST.get("outcome", ""))
    except ValueError:
        return None


def return_to_merchant(request: HttpRequest, payment: Payment) -> HttpResponse:
    """Send the browser back: to return_url by POST with ``transaction_id`` and ``token`` (Checkout v2),
    to success_url or failed_url as given (OAuth API)."""
    if payment.api == Api.OAUTH.value:
        return redirect(exit_url(payment))
    return render(request, "cinetpay_simulator/return.html", {"payment": payment})


def _dashboard(request: HttpRequest, *, error: str = "", fault_form: FaultForm | None = None) -> HttpResponse:
    sim = build_simulator(request)
    sim.transfers.settle_due()
    base = request.build_absolute_uri(reverse("cinetpay_simulator:dashboard")).rstrip("/")
    context = {
        "payments": sim.store.list_payments()[:50],
        "transfers": sim.store.list_transfers()[:50],
        "account": sim.transfers.account(),
        "faults": sim.store.list_faults(),
        "static_faults": sim.options.faults,
        "fault_form": fault_form or FaultForm(),
        "transfer_delay": sim.options.transfer_delay,
        "checkout_api_url": f"{base}/v2",
        "transfer_api_url": f"{base}/v1",
        "oauth_api_url": f"{base}/api",
        "accounts": [account.country for account in sim.credentials.accounts],
        "error": error,
    }
    status = 400 if error or (fault_form is not None and fault_form.errors) else 200
    return render(request, "cinetpay_simulator/dashboard.html", context, status=status)


@transaction.non_atomic_requests
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Payments, transfers, the transfer balance and the fault rules. Settles transfers that are due."""
    return _dashboard(request)


@transaction.non_atomic_requests
@require_POST
def resend_payment_notification(request: HttpRequest, token: str) -> HttpResponse:
    sim = build_simulator(request)
    try:
        sim.checkout.resend(_payment(sim, token))
    except CustomerError as exc:
        return _dashboard(request, error=str(exc))
    return redirect("cinetpay_simulator:dashboard")


@transaction.non_atomic_requests
@require_POST
def transfer_action(request: HttpRequest, client_transaction_id: str, action: str) -> HttpResponse:
    """``validate`` (→ VAL), ``reject`` (→ REJ) or ``resend`` the notification of a transfer."""
    sim = build_simulator(request)
    try:
        transfer = sim.transfers.find(client_transaction_id=client_transaction_id)
        if action == "validate":
            sim.transfers.settle(transfer, TreatmentStatus.VAL)
        elif action == "reject":
            sim.transfers.settle(transfer, TreatmentStatus.REJ, comment=request.POST.get("comment", ""))
        elif action == "resend":
            sim.transfers.resend(transfer)
        else:
            raise Http404(f"No transfer action {action!r}.")
    except TransferError as exc:
        return _dashboard(request, error=str(exc))
    return redirect("cinetpay_simulator:dashboard")


@require_POST
def expire_tokens(request: HttpRequest) -> HttpResponse:
    """Every login token issued so far expires: clients must log in again (705 on v1, 1003 on OAuth)."""
    build_simulator(request).store.expire_sessions()
    return redirect("cinetpay_simulator:dashboard")


@require_POST
def add_fault(request: HttpRequest) -> HttpResponse:
    form = FaultForm(request.POST)
    if not form.is_valid():
        return _dashboard(request, fault_form=form)
    build_simulator(request).store.add_fault(form.rule())
    return redirect("cinetpay_simulator:dashboard")


@require_POST
def delete_fault(request: HttpRequest, pk: int) -> HttpResponse:
    build_simulator(request).store.delete_fault(pk)
    return redirect("cinetpay_simulator:dashboard")
