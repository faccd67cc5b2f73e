"""``{% load cinetpay_simulator %}``: the simulator's codes named for people (see :mod:`..labels`)."""

from __future__ import annotations

from django import template

from .. import labels
from ..engine.oauth.vocabulary import CODES, PAYMENT_CODES, TRANSFER_CODES
from ..forms import method_label

register = template.Library()


@register.filter
def fault_name(code: str) -> str:
    return labels.label(labels.FAULTS, code)


@register.filter
def payment_state(code: str) -> str:
    return labels.label(labels.PAYMENT_STATES, code)


@register.filter
def transfer_state(code: str) -> str:
    return labels.label(labels.TREATMENT_STATUSES, code)


@register.filter
def method(code: str) -> str:
    """A payment method of either API by name (``OM``, ``OM_CI``); empty when none was chosen."""
    return method_label(code) if code else ""


@register.filter
def api_name(code: str) -> str:
    return labels.label(labels.APIS, code)


@register.filter
def oauth_payment_status(state: str) -> str:
    """The status the OAuth API answers for a payment in ``state`` (``SUCCESS``, ``PENDING`` …)."""
    return CODES[PAYMENT_CODES[state]]


@register.filter
def oauth_transfer_status(treatment_status: str) -> str:
    """The status the OAuth API answers for a transfer in ``treatment_status``."""
    return CODES[TRANSFER_CODES[treatment_status]]
