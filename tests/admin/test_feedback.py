"""Every refusal reads as a sentence for staff: what happened and what to do, statuses by their names,
CinetPay's codes explained, never a developer's wording."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from django_cinetpay import exceptions
from django_cinetpay.admin.feedback import ActionFailed, staff_message
from django_cinetpay.client.codes import transfer_error
from django_cinetpay.states import EscrowStatus

pytestmark = pytest.mark.django_db


def test_a_forbidden_transition_names_the_statuses(escrow):
    error = exceptions.InvalidTransitionError(escrow, EscrowStatus.RELEASED, EscrowStatus.REFUNDED)
    assert str(error) == (
        f"Escrow {escrow.payment.transaction_id} is “Released to the seller”: "
        "it cannot become “Refunded to the buyer”."
    )
    assert (
        staff_message(error)
        == "This escrow is “Released to the seller”: it cannot become “Refunded to the buyer”."
    )
    assert (error.from_status, error.to_status, error.obj) == ("released", "refunded", escrow)


def test_asking_for_the_status_it_has_says_it_is_already_there(escrow):
    error = exceptions.InvalidTransitionError(escrow, EscrowStatus.RELEASED, EscrowStatus.RELEASED)
    assert staff_message(error) == "This escrow is already “Released to the seller”."
    assert "cannot go from" not in str(error)


def test_a_transition_reads_in_the_language_active_when_shown(escrow):
    error = exceptions.InvalidTransitionError(escrow, EscrowStatus.HELD, EscrowStatus.RELEASED)
    with translation.override("fr"):
        shown = staff_message(error)
    assert "Sous séquestre" in shown
    assert "Versé au vendeur" in shown


def test_an_object_without_statuses_keeps_the_codes():
    error = exceptions.InvalidTransitionError("thing", "a", "b")
    assert str(error) == "Thing is “a”: it cannot become “b”."


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermissionDenied(), "You are not allowed to do this."),
        (
            exceptions.PermissionDeniedError("arbitre may not retry payouts."),
            "You are not allowed to do this.",
        ),
        (exceptions.InvalidInputError("A refund needs a reason."), "A refund needs a reason."),
        (ActionFailed("Already said."), "Already said."),
        (
            exceptions.CinetPayTimeoutError("read timeout on https://…"),
            "CinetPay could not be reached or gave no clear answer. Nothing was changed here; try again in "
            "a few minutes.",
        ),
        (
            exceptions.CinetPayThrottledError("429"),
            "CinetPay asks to slow down: try again in a minute. Nothing was changed.",
        ),
        (
            ValueError("no processor for x notifications"),
            "The action failed: no processor for x notifications",
        ),
    ],
)
def test_each_refusal_has_its_sentence(error, message):
    assert staff_message(error) == message


def test_cinetpay_s_codes_are_explained_not_recited():
    error = transfer_error("721", "OPERATOR_NOT_AVAILABLE", "")
    message = staff_message(error)
    assert message.startswith("CinetPay refused (code 721): ")
    assert "OPERATOR_NOT_AVAILABLE" not in message


def test_credentials_refused_say_who_must_act():
    error = transfer_error("701", "INVALID_CREDENTIALS", "")
    assert isinstance(error, exceptions.CinetPayAuthError)
    assert staff_message(error) == (
        "CinetPay refused the site's credentials (code 701): an administrator must check the CinetPay "
        "settings. Nothing was changed."
    )


def test_a_refused_retry_says_why_from_its_cause():
    unreachable = exceptions.PayoutRetryRefusedError("Payout TR1 not retried: …")
    unreachable.__cause__ = exceptions.CinetPayTimeoutError("timeout")
    assert staff_message(unreachable).startswith("Not retried: CinetPay could not say")
    may_have_left = exceptions.PayoutRetryRefusedError("Payout TR1 not retried. CinetPay reports …")
    assert staff_message(may_have_left).startswith("Not retried: CinetPay holds a transfer for this payout")
