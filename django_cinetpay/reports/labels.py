"""Names for people of what a report counts, in the active language: statuses, failure reasons, methods,
dispute ages, payout kinds. The pages, the CSV's ``label`` column and the command's table read them here."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..client.codes import CHECKOUT_CODES
from ..formatting import payment_method_name
from ..states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus
from .figures import Reason

DISPUTE_AGE_LABELS = {
    "under_1_day": _("less than a day"),
    "1_to_3_days": _("1 to 3 days"),
    "3_to_7_days": _("3 to 7 days"),
    "over_7_days": _("more than 7 days"),
}
GRANULARITY_LABELS = {
    "day": pgettext_lazy("report grouping", "by day"),
    "week": pgettext_lazy("report grouping", "by week"),
    "month": pgettext_lazy("report grouping", "by month"),
}


def _choice(choices: type[TextChoices], value: str) -> str:
    """The label of ``value`` among ``choices``; an unknown value as it is."""
    return str(choices(value).label) if value in choices.values else value


def payment_status(value: str) -> str:
    return _choice(PaymentStatus, value)


def escrow_status(value: str) -> str:
    return _choice(EscrowStatus, value)


def payout_status(value: str) -> str:
    return _choice(PayoutStatus, value)


def payout_kind(value: str) -> str:
    return _choice(PayoutKind, value)


def method(code: str) -> str:
    """``OM`` → Orange Money; no method (CinetPay did not say) → "Not reported"."""
    return payment_method_name(code) or gettext("Not reported")


def reason(line: Reason) -> str:
    """What CinetPay's code means for the customer ("The customer's balance is too low …"), else the code
    and message CinetPay gave, else "No reason given"."""
    known = CHECKOUT_CODES.get(line.code)
    if known:
        return gettext(known.hint)
    given = " ".join(part for part in (line.code, line.message) if part)
    return given or gettext("No reason given")
