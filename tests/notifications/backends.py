"""SMS backends the message tests use to make a provider fail."""

from __future__ import annotations

from collections.abc import Sequence

from django_cinetpay.sms import SmsError, SmsMessage
from django_cinetpay.sms.backends.base import BaseSmsBackend


class DownSmsBackend(BaseSmsBackend):
    """A provider that is down: every send raises a temporary error."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        raise SmsError("Gateway timeout", code="501")


class RefusingSmsBackend(BaseSmsBackend):
    """A provider refusing the number for good."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        raise SmsError("InvalidPhoneNumber", code="403", permanent=True)
