"""What staff read when an action is refused: the reason in their language, never a developer's wording.

The services raise precise exceptions (:mod:`django_cinetpay.exceptions`); :func:`staff_message` turns
each into a sentence that says what happened and what to do, with the object's statuses named as people
read them. :class:`ActionFailed` carries a message an action composed itself (CinetPay refused a send
the service reported without raising).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .. import exceptions
from ..exceptions import status_label


class ActionFailed(Exception):
    """An action did not do what staff asked; ``str()`` is the message for them, already translated."""


def staff_message(error: Exception, obj: Any = None) -> str:
    """The sentence staff read for ``error``, raised while acting on ``obj``."""
    if isinstance(error, ActionFailed):
        return str(error)
    if isinstance(error, PermissionDenied):
        return gettext("You are not allowed to do this.")
    if isinstance(error, exceptions.InvalidInputError):
        return str(error)  # the services' own messages are for people and translated
    if isinstance(error, exceptions.InvalidTransitionError):
        return _transition_message(error, obj)
    if isinstance(error, exceptions.PayoutRetryRefusedError):
        return _retry_refusal_message(error)
    if isinstance(error, exceptions.CinetPayAPIError):
        return _cinetpay_refusal_message(error)
    if isinstance(error, exceptions.CinetPayNetworkError):
        return gettext(
            "CinetPay could not be reached or gave no clear answer. Nothing was changed here; try again "
            "in a few minutes."
        )
    return gettext("The action failed: %(error)s") % {"error": error}


def _transition_message(error: exceptions.InvalidTransitionError, obj: Any) -> str:
    subject = error.obj if obj is None else obj
    names = {
        "kind": getattr(getattr(subject, "_meta", None), "verbose_name", ""),
        "from": status_label(subject, error.from_status),
        "to": status_label(subject, error.to_status),
    }
    if error.from_status == error.to_status:
        return gettext("This %(kind)s is already “%(from)s”.") % names
    return gettext("This %(kind)s is “%(from)s”: it cannot become “%(to)s”.") % names


def _retry_refusal_message(error: exceptions.PayoutRetryRefusedError) -> str:
    if isinstance(error.__cause__, exceptions.CinetPayError):
        return gettext(
            "Not retried: CinetPay could not say whether the failed payout's transfer exists. Nothing "
            "was changed; try again later."
        )
    return gettext(
        "Not retried: CinetPay holds a transfer for this payout, in progress or done, so the money may "
        "have left. The payout is flagged for review; check it in the CinetPay back-office."
    )


def _cinetpay_refusal_message(error: exceptions.CinetPayAPIError) -> str:
    names = {"code": error.code, "hint": gettext(error.hint) if error.hint else error.message}
    if isinstance(error, exceptions.CinetPayAuthError):
        return (
            gettext(
                "CinetPay refused the site's credentials (code %(code)s): an administrator must check the "
                "CinetPay settings. Nothing was changed."
            )
            % names
        )
    if isinstance(error, exceptions.CinetPayThrottledError):
        return gettext("CinetPay asks to slow down: try again in a minute. Nothing was changed.")
    return gettext("CinetPay refused (code %(code)s): %(hint)s") % names
