"""Writes each SMS to the console (standard output): the default while ``DEBUG`` is on."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

from ..message import SmsMessage
from .base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args: Any, stream: IO[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                sender = f" from {message.sender}" if message.sender else ""
                self.stream.write(f"SMS to {message.to}{sender}\n{message.body}\n{'-' * 79}\n")
            self.stream.flush()
        return len(messages)
