"""Keeps each SMS in :data:`django_cinetpay.sms.outbox`, for tests (like Django's locmem e-mail backend)."""

from __future__ import annotations

from collections.abc import Sequence

from ... import sms  # the package, so a test that replaces sms.outbox is honoured
from ..message import SmsMessage
from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        sms.outbox.extend(messages)
        return len(messages)
