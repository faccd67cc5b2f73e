"""Text messages (SMS) through a pluggable backend, modelled on Django's e-mail backends.

``CINETPAY_SMS_BACKEND`` names the backend class, as ``EMAIL_BACKEND`` does for e-mail:

* ``django_cinetpay.sms.backends.console.SmsBackend`` writes each message to the console (the default
  when ``DEBUG`` is on);
* ``django_cinetpay.sms.backends.locmem.SmsBackend`` collects them in :data:`outbox`, for tests;
* ``django_cinetpay.sms.backends.dummy.SmsBackend`` drops them;
* ``django_cinetpay.sms.backends.africastalking.SmsBackend`` sends them through Africa's Talking.

Another provider is a subclass of :class:`~django_cinetpay.sms.backends.base.BaseSmsBackend` that
implements ``send_messages`` (see the README).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from ..exceptions import CinetPayConfigurationError
from .message import SmsError, SmsMessage

if TYPE_CHECKING:
    from .backends.base import BaseSmsBackend

__all__ = ["SmsError", "SmsMessage", "get_connection", "outbox", "send_sms"]

#: The messages the locmem backend "sent", oldest first (like ``django.core.mail.outbox``).
outbox: list[SmsMessage] = []


def backend_path() -> str | None:
    """The SMS backend's dotted path read now: ``CINETPAY_SMS_BACKEND``, else the console one in DEBUG.

    ``None``: no backend, so no SMS is recorded or sent.
    """
    from django.conf import settings as django_settings

    from ..conf import settings

    path = settings.CINETPAY_SMS_BACKEND
    if path:
        return str(path)
    return "django_cinetpay.sms.backends.console.SmsBackend" if django_settings.DEBUG else None


def get_connection(
    backend: str | None = None, *, fail_silently: bool = False, **kwargs: Any
) -> BaseSmsBackend:
    """An instance of the SMS backend ``backend`` (default: :func:`backend_path`), as Django's
    ``get_connection`` does for e-mail; ``kwargs`` go to the backend's constructor."""
    path = backend or backend_path()
    if path is None:
        raise CinetPayConfigurationError("No SMS backend: set CINETPAY_SMS_BACKEND.")
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise CinetPayConfigurationError(f"CINETPAY_SMS_BACKEND {path!r} cannot be imported: {exc}") from exc
    return backend_class(fail_silently=fail_silently, **kwargs)


def send_sms(to: str, body: str, *, sender: str = "", connection: BaseSmsBackend | None = None) -> int:
    """Send one text message; returns how many were sent (0 or 1). Raises :class:`SmsError` on failure."""
    connection = connection or get_connection()
    return connection.send_messages([SmsMessage(to=to, body=body, sender=sender)])
