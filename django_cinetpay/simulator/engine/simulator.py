"""The engine's front door: routes API requests to the three APIs and applies request faults.

One :class:`Simulator` per request (the app) or per test (the fake), over a :class:`~.store.Store` that
outlives it. It reads no settings and does no I/O of its own: the face that runs it passes credentials,
options, a clock, a ``payment_url`` builder and a ``deliver`` function, which make up the
:class:`~.context.Context` that :class:`~.checkout.Checkout`, :class:`~.transfers.Transfers` and
:class:`~.oauth.api.OAuthApi` (CinetPay's newer API, over the same records) work on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .checkout import Checkout
from .context import Context, Credentials, Options, utc_now
from .faults import API_FAULTS, FAULT_HEADER, UNPROCESSED_FAULTS, Fault, FaultRule, parse_fault
from .messages import ApiRequest, Reply
from .notifications import Deliver
from .oauth.api import OAuthApi, route
from .store import Store
from .transfers import Transfers

__all__ = ["Credentials", "Options", "Simulator", "utc_now"]


class Simulator:
    """A fake CinetPay over ``store``. ``checkout`` and ``transfers`` hold the behaviour of Checkout v2 and
    Transfer v1, ``oauth`` that of the newer API.

    Both work on ``context``; ``store``, ``credentials``, ``options``, ``clock`` and ``payment_url`` are its.
    """

    def __init__(
        self,
        store: Store,
        credentials: Credentials,
        *,
        payment_url: Callable[[str], str],
        deliver: Deliver,
        options: Options | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.context = Context(
            store, credentials, payment_url=payment_url, deliver=deliver, options=options, clock=clock
        )
        self.checkout = Checkout(self.context)
        self.transfers = Transfers(self.context)
        self.oauth = OAuthApi(self.context)

    @property
    def store(self) -> Store:
        return self.context.store

    @property
    def credentials(self) -> Credentials:
        return self.context.credentials

    @property
    def options(self) -> Options:
        return self.context.options

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        return self.context.clock

    @property
    def payment_url(self) -> Callable[[str], str]:
        return self.context.payment_url

    # --- API requests ----------------------------------------------------------------------------------

    def handle_checkout(self, request: ApiRequest) -> Reply:
        """A request to the Checkout API v2 (``payment``, ``payment/check``)."""
        return self._handle(request, self.checkout.handle)

    def handle_transfer(self, request: ApiRequest) -> Reply:
        """A request to the Transfer API v1 (``auth/login``, ``transfer/...``)."""
        return self._handle(request, self.transfers.handle)

    def handle_oauth(self, request: ApiRequest) -> Reply:
        """A request to the newer API (``v1/oauth/login``, ``v1/payment``, ``v1/transfer``, ``v1/balances``).

        Fault rules target its routes, with ``{id}`` for a transaction id: ``v1/payment/{id}``.
        """
        return self._handle(request, self.oauth.handle, target=route(request)[0])

    def _handle(
        self, request: ApiRequest, handler: Callable[[ApiRequest], Reply], *, target: str = ""
    ) -> Reply:
        target = target or request.endpoint
        rule = self._request_fault(request, target)
        if rule is None:
            rule = self.context.take_fault(target, API_FAULTS)
        if rule is not None and rule.fault in UNPROCESSED_FAULTS:
            return _unprocessed_reply(rule.fault)
        reply = handler(request)
        if rule is None:
            return reply
        if rule.fault is Fault.LATENCY:
            return reply.later(rule.seconds or 0.0)
        if rule.fault is Fault.TIMEOUT:
            return reply.later(
                self.options.timeout_delay if rule.seconds is None else rule.seconds, timed_out=True
            )
        return Reply(reply.status, reply.body[: max(1, len(reply.body) // 2)], reply.content_type)

    @staticmethod
    def _request_fault(request: ApiRequest, target: str) -> FaultRule | None:
        text = request.header(FAULT_HEADER)
        if not text:
            return None
        rule = parse_fault(text, target=target)
        if rule.fault not in API_FAULTS:
            raise ValueError(f"{rule.fault.value} is a notification fault, not a request fault")
        return rule


def _unprocessed_reply(fault: Fault) -> Reply:
    if fault is Fault.SERVER_ERROR:
        return Reply(503, b"Service Temporarily Unavailable", "text/plain; charset=utf-8")
    page = (
        "<!DOCTYPE html><html><head><title>Maintenance</title></head>"
        "<body><h1>Service en maintenance</h1><p>Merci de réessayer plus tard.</p></body></html>"
    )
    return Reply(200, page.encode(), "text/html; charset=utf-8")
