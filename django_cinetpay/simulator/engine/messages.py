"""Requests and answers as the engine sees them, independent of Django and of ``requests``.

Both faces translate their transport into an :class:`ApiRequest` and a :class:`Reply` back: the simulator
app from a Django ``HttpRequest`` to an ``HttpResponse``, the test fake from a ``requests.PreparedRequest``
to a ``responses`` callback result.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def integer(value: Any) -> int | None:
    """An amount as CinetPay takes it: an integer, or a string of one. Decimals and booleans are not."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request to a simulated API. ``endpoint`` is relative to the API's base URL.

    ``form_fields``: the form already parsed by the transport (a PHP server such as CinetPay's takes
    multipart forms as well as URL-encoded ones); when ``None``, a URL-encoded ``body`` is parsed.
    """

    method: str
    endpoint: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    form_fields: Mapping[str, str] | None = None

    def __post_init__(self) -> None:
        # Header names are case-insensitive: keep them lower-cased once, here.
        object.__setattr__(self, "headers", {k.lower(): v for k, v in self.headers.items()})
        object.__setattr__(self, "endpoint", self.endpoint.strip("/"))
        object.__setattr__(self, "method", self.method.upper())

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON (CinetPay then answers 608)."""
        if JSON not in self.content_type.lower():
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def form(self) -> dict[str, str]:
        """The body as form fields (the Transfer API takes forms)."""
        if self.form_fields is not None:
            return dict(self.form_fields)
        if FORM not in self.content_type.lower():
            return {}
        return dict(parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True))


@dataclass(frozen=True)
class Reply:
    """An answer. ``delay``: wait that long first; ``timed_out``: the caller must see a timeout instead."""

    status: int
    body: bytes
    content_type: str = JSON
    delay: float = 0.0
    timed_out: bool = False

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(payload).encode("utf-8"))

    @property
    def payload(self) -> Any:
        """The JSON body, for tests and logs."""
        return json.loads(self.body.decode("utf-8"))

    def later(self, seconds: float, *, timed_out: bool = False) -> Reply:
        return replace(self, delay=seconds, timed_out=timed_out)
