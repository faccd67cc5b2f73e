"""A text message, and the error a provider's refusal raises."""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import CinetPayError


@dataclass(frozen=True)
class SmsMessage:
    """One text message: ``to`` is a number in E.164 form (``"+2250707070707"``), ``body`` its text."""

    to: str
    body: str
    sender: str = ""


class SmsError(CinetPayError):
    """The SMS provider did not take a message.

    ``permanent`` says that sending the same message again cannot succeed (an invalid or blacklisted
    number): it is not retried. ``code`` is the provider's own code, when it gave one.
    """

    def __init__(self, message: str, *, code: str = "", permanent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent
