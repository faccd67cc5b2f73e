"""The simulated APIs over HTTP: a Django request in, the engine's reply out.

CSRF-exempt (API clients have no CSRF token) and outside any request transaction, because handling a
request may notify the merchant, whose webhook then calls back here and must see what was written.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

from ..engine import ApiRequest, Reply, Simulator
from ..runtime import build_simulator


def _serve(
    request: HttpRequest, endpoint: str, handler: Callable[[Simulator, ApiRequest], Reply]
) -> HttpResponse:
    body = request.body  # read first: Django parses a multipart form from it afterwards
    is_form = request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded")
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
