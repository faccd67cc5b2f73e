"""The package's exceptions carry Django's meaning: a refused permission is a 403, bad input a 400.

``PermissionDeniedError`` is Django's ``PermissionDenied`` (a view that lets it through answers 403, not
500) and ``InvalidInputError`` is Django's ``ValidationError`` (a form calling a service shows it), both
still ``CinetPayError``; the views show a service's own message for bad input.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from django_cinetpay import exceptions, services
from django_cinetpay.adapter import PayoutDestination
from django_cinetpay.models import EscrowTransaction, PayoutRequest
from django_cinetpay.states import EscrowStatus

pytestmark = pytest.mark.django_db


def confirm_for_whoever_asks(request: HttpRequest, pk: int) -> HttpResponse:
    """A host's view that leaves the permission check to the service."""
    services.confirm_receipt(EscrowTransaction.objects.get(pk=pk), request.user)
    return HttpResponse("confirmed")


urlpatterns = [path("confirm/<int:pk>/", confirm_for_whoever_asks)]


def test_the_hierarchy():
    assert issubclass(exceptions.PermissionDeniedError, exceptions.CinetPayError)
    assert issubclass(exceptions.PermissionDeniedError, PermissionDenied)
    for invalid in (exceptions.InvalidInputError, exceptions.PaymentValidationError):
        assert issubclass(invalid, exceptions.CinetPayError)
        assert issubclass(invalid, ValidationError)
        assert issubclass(invalid, ValueError)
    assert issubclass(exceptions.PaymentValidationError, exceptions.InvalidInputError)
    assert not hasattr(exceptions, "InvalidSignatureError")  # never raised


def test_bad_input_reads_as_its_message():
    error = exceptions.InvalidInputError("A refund needs a reason.")
    assert str(error) == "A refund needs a reason."
    assert error.messages == ["A refund needs a reason."]
    assert repr(error) == "InvalidInputError('A refund needs a reason.')"


@pytest.mark.urls(__name__)
def test_a_refused_permission_a_view_lets_through_is_a_403(escrow, other_user):
    client = Client()
    client.force_login(other_user)
    assert client.get(f"/confirm/{escrow.pk}/").status_code == 403
    escrow.refresh_from_db()
    assert escrow.status == EscrowStatus.HELD


def test_services_raise_django_meanings(escrow, buyer, seller, staff):
    with pytest.raises(PermissionDenied):
        services.confirm_receipt(escrow, seller)
    for blank in (
        lambda: services.open_dispute(escrow, buyer, " "),
        lambda: services.refund_escrow(escrow, staff, ""),
        lambda: services.resolve_dispute(escrow, staff, EscrowStatus.RELEASED, ""),
        lambda: services.resolve_dispute(escrow, staff, EscrowStatus.CONFIRMED, "note"),
    ):
        with pytest.raises(exceptions.InvalidInputError):
            blank()


def test_a_payout_destination_without_a_phone_is_bad_input(escrow, staff):
    services.refund_escrow(escrow, staff, "cancelled")
    with pytest.raises(exceptions.InvalidInputError):
        services.set_destination(PayoutRequest.objects.get(), staff, PayoutDestination("225", ""))


def test_a_form_calling_a_service_shows_its_bad_input_as_a_form_error(escrow, buyer):
    class DisputeForm(forms.Form):
        reason = forms.CharField(required=False)

        def clean(self) -> dict[str, Any]:
            services.open_dispute(escrow, buyer, self.cleaned_data["reason"])
            return self.cleaned_data

    form = DisputeForm({"reason": ""})
    assert not form.is_valid()
    assert form.non_field_errors() == ["A dispute needs a reason: please describe the problem."]


def dispute(client: Client, escrow: EscrowTransaction, reason: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("cinetpay:dispute", args=[escrow.payment.transaction_id]), {"reason": reason})


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("  ", "A dispute needs a reason: please describe the problem."),
        ("broken\x00", "Null characters are not allowed."),
    ],
)
def test_the_dispute_page_says_what_is_wrong_with_the_reason(escrow, buyer, reason, message):
    client = Client()
    client.force_login(buyer)
    response = dispute(client, escrow, reason)
    assert response.status_code == 400
    assert response.context["error"] == message
    escrow.refresh_from_db()
    assert escrow.status == EscrowStatus.HELD
