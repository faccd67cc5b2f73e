"""The simulator's words for people: its APIs, faults, payment states and transfer states, translated.

The engine keeps CinetPay's codes (``REJ``, ``out_of_order``); the dashboard and its forms show these.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .engine import Api, Fault, PaymentState, TreatmentStatus

APIS: dict[str, Promise] = {
    Api.CHECKOUT_V2.value: _("Checkout v2 / Transfer v1"),
    Api.OAUTH.value: _("OAuth API (v1)"),
}

FAULTS: dict[str, Promise] = {
    Fault.LATENCY.value: _("Slow answer (latency)"),
    Fault.TIMEOUT.value: _("No answer in time (timeout)"),
    Fault.SERVER_ERROR.value: _("Server error (HTTP 503)"),
    Fault.HTML.value: _("HTML page instead of JSON"),
    Fault.MALFORMED_JSON.value: _("Truncated JSON"),
    Fault.DUPLICATE.value: _("Notification sent twice"),
    Fault.OUT_OF_ORDER.value: _("Notifications out of order"),
    Fault.LOST.value: _("Notification lost"),
}
PAYMENT_STATES: dict[str, Promise] = {
    PaymentState.CREATED.value: _("Created"),
    PaymentState.WAITING.value: _("Waiting for the customer's phone"),
    PaymentState.ACCEPTED.value: _("Accepted"),
    PaymentState.REFUSED.value: _("Refused"),
    PaymentState.CANCELLED.value: _("Cancelled"),
}
TREATMENT_STATUSES: dict[str, Promise] = {
    TreatmentStatus.NEW.value: _("Awaiting validation"),
    TreatmentStatus.VAL.value: _("Validated"),
    TreatmentStatus.REJ.value: _("Rejected"),
}


def label(table: dict[str, Promise], code: str) -> str:
    """The name of ``code`` in ``table``, translated; an unknown code as it is."""
    name = table.get(code)
    return str(name) if name is not None else code
