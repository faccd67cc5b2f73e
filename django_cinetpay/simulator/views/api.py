"""The simulated APIs over HTTP: a Django request in, the engine's reply out.

CSRF-exempt (API clients have no CSRF token) and outside any request transaction, because handling a
request may notify the merchant, whose webhook then calls back here and must see what was written.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..engine import ApiRequest, Reply, Simulator
from ..runtime import build_simulator

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a decoded JSON value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _unstorable(text: str) -> bool:
    """NUL characters and lone surrogates: text no database column (PostgreSQL's above all) can hold."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuses_text(request: HttpRequest, body: bytes) -> bool:
    """Whether the request carries text the simulator could not store, in its query, form or JSON body."""
    try:
        decoded: Any = json.loads(body) if body.lstrip().startswith((b"{", b"[")) else None
    except ValueError:
        decoded = None  # not JSON: the engine answers what CinetPay would
    fields = [*request.GET.lists(), *(request.POST.lists() if request.content_type in FORM_TYPES else [])]
    values = [text for name, items in fields for text in (name, *items)] + list(_strings(decoded))
    return b"\x00" in body or any(_unstorable(value) for value in values)


def _serve(
    request: HttpRequest, endpoint: str, handler: Callable[[Simulator, ApiRequest], Reply]
) -> HttpResponse:
    body = request.body  # read first: Django parses a multipart form from it afterwards
    if _refuses_text(request, body):
        return JsonResponse(
            {
                "code": "400",
                "message": "BAD_REQUEST",
                "description": "The request holds NUL characters or lone surrogates, which CinetPay refuses.",
            },
            status=400,
        )
    is_form = request.content_type in FORM_TYPES
    api_request = ApiRequest(
        method=request.method or "GET",
        endpoint=endpoint,
        query=request.GET.dict(),
        body=body,
        content_type=request.META.get("CONTENT_TYPE", ""),
        headers=dict(request.headers),
        form_fields=request.POST.dict() if is_form else None,
    )
    try:
        reply = handler(build_simulator(request), api_request)
    except ValueError as exc:  # an unknown fault in the fault header
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    if reply.delay:
        # A timeout holds the answer past the client's timeout; the client has given up by then.
        time.sleep(reply.delay)
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)


@login_not_required  # CinetPay's API asks for no login on the merchant's site
@csrf_exempt
@transaction.non_atomic_requests
def checkout_api(request: HttpRequest, endpoint: str) -> HttpResponse:
    """Checkout API v2: ``POST v2/payment`` and ``POST v2/payment/check``."""
    return _serve(request, endpoint, Simulator.handle_checkout)


@login_not_required  # CinetPay's API asks for no login on the merchant's site
@csrf_exempt
@transaction.non_atomic_requests
def transfer_api(request: HttpRequest, endpoint: str) -> HttpResponse:
    """Transfer API v1: ``v1/auth/login`` and ``v1/transfer/...``."""
    return _serve(request, endpoint, Simulator.handle_transfer)


@login_not_required  # CinetPay's API asks for no login on the merchant's site
@csrf_exempt
@transaction.non_atomic_requests
def oauth_api(request: HttpRequest, endpoint: str) -> HttpResponse:
    """The OAuth API: ``api/v1/oauth/login``, ``api/v1/payment[/{id}]``, ``api/v1/transfer[/{id}]``,
    ``api/v1/balances``; every endpoint but the login takes a Bearer token."""
    return _serve(request, endpoint, Simulator.handle_oauth)
