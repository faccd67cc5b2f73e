"""``{% load cinetpay_simulator %}``: the simulator's codes named for people (see :mod:`..labels`)."""

from __future__ import annotations

from django import template

from .. import labels

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
