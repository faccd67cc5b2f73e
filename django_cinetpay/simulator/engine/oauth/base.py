"""How the OAuth API answers, and the field rules its endpoints share.

Answers are JSON objects with a numeric ``code`` and its ``status`` name. An error carries a
``description`` and an HTTP status of 400 or more, which is how CinetPay's SDK tells an error from a
transaction that is simply ``FAILED`` (code 2010 with HTTP 200 and no description). Where the API does not
say which HTTP status goes with a code, the simulator decides: 401 for token and credential errors, 404 for
an unknown transaction, 400 for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from ..messages import ApiRequest, Reply
from .vocabulary import CODES

_HTTP_STATUS = {404: 404, 1002: 401, 1003: 401, 1005: 401}
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")


class Refusal(Exception):
    """Stop handling a request with an OAuth API error code."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description

    def reply(self) -> Reply:
        body = {"code": self.code, "status": CODES.get(self.code, "ERROR"), "description": self.description}
        return Reply.json(body, _HTTP_STATUS.get(self.code, 400))


def answer(code: int, **fields: Any) -> Reply:
    """A successful answer: ``code``, its ``status`` name, then ``fields``."""
    return Reply.json({"code": code, "status": CODES[code], **fields})


def body_of(request: ApiRequest) -> dict[str, Any]:
    """The JSON object of a request, or 1004."""
    body = request.json()
    if not isinstance(body, dict):
        raise Refusal(1004, "The body must be a JSON object (Content-Type: application/json).")
    return body


def text(body: dict[str, Any], name: str, low: int, high: int) -> str:
    """A string field of ``low`` to ``high`` characters, or 1004 naming it."""
    value = body.get(name)
    if not isinstance(value, str) or not low <= len(value.strip()) <= high:
        raise Refusal(1004, f"{name} must be a string of {low} to {high} characters.")
    return value.strip()


def choice(body: dict[str, Any], name: str, allowed: Collection[str]) -> str:
    value = body.get(name)
    if value not in allowed:
        raise Refusal(1004, f"{name} must be one of {', '.join(sorted(allowed))}.")
    return str(value)


def amount(body: dict[str, Any], limits: tuple[int, int]) -> int:
    """An integer amount within ``limits`` (a JSON number, not a string or a boolean), or 1004."""
    value = body.get("amount")
    low, high = limits
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Refusal(1004, f"amount must be an integer from {low} to {high}.")
    return value


def url(body: dict[str, Any], name: str, longest: int) -> str:
    value = text(body, name, 1, longest)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Refusal(1004, f"{name} must be an absolute http(s) URL.")
    return value


def email(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise Refusal(1004, f"{name} must be an e-mail address.")
    return value
