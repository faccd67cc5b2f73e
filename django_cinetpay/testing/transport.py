"""How the fake answers HTTP: ``responses`` routes from each API's base URL to the engine.

A request to ``<base>/<endpoint>`` becomes an engine :class:`~..simulator.engine.ApiRequest` for
``<endpoint>``; the engine's reply becomes the ``responses`` answer, or a ``ReadTimeout`` for a ``timeout``
fault (the fake does not hold the request: the caller sees the timeout at once).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import responses

from ..simulator.engine import ApiRequest, Reply, Simulator

#: Calls one of the engine's APIs: ``Simulator.handle_checkout``, ``handle_transfer`` or ``handle_oauth``.
Handler = Callable[[Simulator, ApiRequest], Reply]


def intercept(
    routes: Iterable[tuple[str, Handler]],
    simulator: Callable[[], Simulator],
    sleep: Callable[[float], None],
) -> responses.RequestsMock:
    """A started-to-be mock answering GET and POST under each base URL of ``routes`` with its handler."""
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    for base, handler in routes:
        pattern = re.compile(re.escape(base.rstrip("/")) + r"/[^?#]*(\?.*)?$")
        callback = _callback(base, handler, simulator, sleep)
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, pattern, callback=callback, content_type=None)
    return mock


def _callback(
    base: str, handler: Handler, simulator: Callable[[], Simulator], sleep: Callable[[float], None]
) -> Callable[[requests.PreparedRequest], Any]:
    base_path = urlsplit(base).path.rstrip("/")

    def callback(request: requests.PreparedRequest) -> Any:
        url = urlsplit(request.url or "")
        body = request.body or b""
        api_request = ApiRequest(
            method=request.method or "GET",
            endpoint=url.path[len(base_path) :],
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            body=body.encode() if isinstance(body, str) else bytes(body),
            content_type=request.headers.get("Content-Type", ""),
            headers=dict(request.headers),
        )
        reply = handler(simulator(), api_request)
        if reply.timed_out:
            return requests.exceptions.ReadTimeout(f"CinetPayFake: simulated timeout on {url.path}")
        if reply.delay:
            sleep(reply.delay)
        return reply.status, {"Content-Type": reply.content_type}, reply.body

    return callback
