"""Every error django-cinetpay raises.

All runtime errors derive from :class:`CinetPayError`, so a host can catch one class. Configuration
mistakes derive from :class:`~django.core.exceptions.ImproperlyConfigured` instead, so that a generic
``except CinetPayError`` never hides a broken setup (a lesson from django-anymail).

Errors that mean what one of Django's exceptions means also derive from it, so Django answers them as it
would its own when a view lets one through: :class:`PermissionDeniedError` is a
:class:`~django.core.exceptions.PermissionDenied` (403) and :class:`InvalidInputError` a
:class:`~django.core.exceptions.ValidationError`.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext


class CinetPayError(Exception):
    """Base class of every runtime error raised by django-cinetpay."""


class CinetPayConfigurationError(ImproperlyConfigured):
    """A setting is missing or invalid. Never caught by ``except CinetPayError``."""


# --- Errors answered by CinetPay ------------------------------------------------------------------


class CinetPayAPIError(CinetPayError):
    """CinetPay answered, and the answer is an error.

    Carries CinetPay's ``code``, ``message`` and ``description`` as received, plus a ``hint`` that says
    what to fix (in the spirit of the seed guide's troubleshooting list). ``str()`` never contains a
    credential: the client builds these from CinetPay's answer, not from the request.
    """

    def __init__(
        self,
        code: str,
        message: str = "",
        description: str = "",
        *,
        hint: str = "",
        http_status: int | None = None,
    ) -> None:
        self.code = str(code)
        self.message = message or ""
        self.description = description or ""
        self.hint = hint
        self.http_status = http_status
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"CinetPay error {self.code}"
        if self.message:
            text += f" - {self.message}"
        if self.description and self.description != self.message:
            text += f": {self.description}"
        if self.hint:
            text += f". {self.hint}"
        return text


class CinetPayAuthError(CinetPayAPIError):
    """Credentials refused (609, 613, 624, 701, 703 …): fix the settings, retrying will not help."""


class CinetPayValidationError(CinetPayAPIError):
    """The request was refused for its content (608, 641, 642, 612 …)."""


class CinetPayThrottledError(CinetPayAPIError):
    """CinetPay throttles the merchant (429)."""


class CinetPayTransferError(CinetPayAPIError):
    """An error answered by the Transfer API (7xx, 8xx, 602)."""


class CinetPayTokenExpiredError(CinetPayTransferError):
    """The Transfer API token expired or is invalid (705, 706): log in again once."""


# --- Errors where CinetPay did not give a usable answer -------------------------------------------


class CinetPayNetworkError(CinetPayError):
    """No usable answer: the outcome of the request is unknown.

    For a non-idempotent request (payment init, transfer send) this means *we do not know whether
    CinetPay acted*: look the object up before trying again.
    """


class CinetPayTimeoutError(CinetPayNetworkError):
    """The request timed out (connect or read)."""


class CinetPayConnectionError(CinetPayNetworkError):
    """CinetPay could not be reached (DNS, refused connection, TLS)."""


class CinetPayServerError(CinetPayNetworkError):
    """CinetPay answered with an HTTP 5xx."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        self.http_status = http_status
        super().__init__(message)


class CinetPayInvalidResponseError(CinetPayNetworkError):
    """CinetPay answered with something that is not the expected JSON (HTML page, malformed JSON)."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        self.http_status = http_status
        super().__init__(message)


# --- Errors of our own domain -----------------------------------------------------------------------


class InvalidInputError(CinetPayError, ValidationError, ValueError):
    """A service was given input it refuses (an empty dispute reason, a destination without a phone …).

    The message is for people and translated. A :class:`~django.core.exceptions.ValidationError`, so a
    form that calls a service in its ``clean()`` shows it as a form error; a ``ValueError`` too, as the
    services raised before.
    """

    def __str__(self) -> str:  # ValidationError's str() is the repr of a list of messages
        return " ".join(self.messages)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class PaymentValidationError(InvalidInputError):
    """A payment cannot be created as asked (amount, currency, description, buyer == seller …)."""


class InvalidPhoneNumber(InvalidInputError):
    """A phone number that is not a valid mobile number where it must be; the message says what to type."""


class InvalidTransitionError(CinetPayError):
    """A state change that the transition table forbids (e.g. an accepted payment going back).

    ``from_status`` and ``to_status`` are the status codes; ``str()`` names them as people read them
    (``Escrow CP… is “Released to the seller”: it cannot become “Refunded to the buyer”.``), in the
    language active when it is shown, so staff and buyers read it in theirs and logs in the site's.
    """

    def __init__(self, obj: object, from_status: str, to_status: str) -> None:
        self.obj = obj
        self.from_status = str(from_status)
        self.to_status = str(to_status)
        super().__init__(obj, self.from_status, self.to_status)

    def __str__(self) -> str:
        names = {
            "object": capfirst(str(self.obj)),
            "from": status_label(self.obj, self.from_status),
            "to": status_label(self.obj, self.to_status),
        }
        if self.from_status == self.to_status:
            return gettext("%(object)s is already “%(from)s”.") % names
        return gettext("%(object)s is “%(from)s”: it cannot become “%(to)s”.") % names


def status_label(obj: object, status: str) -> str:
    """The label people read for ``status`` of ``obj``'s ``status`` field (the code when it has none)."""
    meta = getattr(obj, "_meta", None)
    try:
        choices = dict(meta.get_field("status").flatchoices) if meta is not None else {}
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(status, status))


class PermissionDeniedError(CinetPayError, PermissionDenied):
    """The user may not perform this action (e.g. someone other than the buyer confirming receipt).

    A :class:`~django.core.exceptions.PermissionDenied`: a view that lets it through answers 403.
    """


class PayoutRetryRefusedError(CinetPayError):
    """A staff retry was refused: the failed payout's money may have left, or CinetPay could not say.

    The message says why and what to do; the admin shows it to staff.
    """
