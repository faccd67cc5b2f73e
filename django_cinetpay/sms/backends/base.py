"""What every SMS backend implements, after ``django.core.mail.backends.base.BaseEmailBackend``."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

from ..message import SmsMessage


class BaseSmsBackend:
    """Subclass it and implement :meth:`send_messages`; :meth:`open` and :meth:`close` are optional.

    ``fail_silently``: errors are swallowed instead of raised (the message framework never uses it, since
    it must see a failure to retry). Extra keyword arguments given to ``get_connection`` arrive in
    ``kwargs`` (e.g. credentials that override the settings).
    """

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        self.fail_silently = fail_silently

    def open(self) -> bool | None:
        """Open a connection to the provider, if it has one; called by ``with backend:``."""
        return None

    def close(self) -> None:
        """Close the connection :meth:`open` made."""

    def __enter__(self) -> BaseSmsBackend:
        try:
            self.open()
        except Exception:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        """Send ``messages``; return how many were sent.

        Raise :class:`~django_cinetpay.sms.SmsError` when the provider refuses one (``permanent=True`` when
        sending it again cannot help), and let network errors through: the caller retries later.
        """
        raise NotImplementedError("subclasses of BaseSmsBackend must implement send_messages()")
