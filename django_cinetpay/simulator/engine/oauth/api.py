"""The OAuth API's router: which endpoint a request is for, its Bearer token, then the endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..context import Account, Context
from ..messages import ApiRequest, Reply
from .auth import Auth
from .base import Refusal
from .payments import Payments
from .transfers import OAuthTransfers

#: (method, route) of each endpoint; ``{id}`` stands for a transaction id. Routes are also the targets
#: of fault rules (``v1/payment/{id}`` for status calls).
_PATTERNS = (
    ("POST", "v1/oauth/login", re.compile(r"^v1/oauth/login$")),
    ("POST", "v1/payment", re.compile(r"^v1/payment$")),
    ("GET", "v1/payment/{id}", re.compile(r"^v1/payment/(?P<id>[^/]+)$")),
    ("POST", "v1/transfer", re.compile(r"^v1/transfer$")),
    ("GET", "v1/transfer/{id}", re.compile(r"^v1/transfer/(?P<id>[^/]+)$")),
    ("GET", "v1/balances", re.compile(r"^v1/balances$")),
)


def route(request: ApiRequest) -> tuple[str, str | None]:
    """(route, id) of a request: ``("v1/payment/{id}", "CP…")``; (the endpoint itself, ``None``) when no
    endpoint takes this method and path."""
    for method, name, pattern in _PATTERNS:
        found = pattern.match(request.endpoint)
        if found and method == request.method:
            return name, found.groupdict().get("id", "")
    return request.endpoint, None


class OAuthApi:
    """CinetPay's newer API over the engine's context."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.auth = Auth(context)
        self.payments = Payments(context)
        self.transfers = OAuthTransfers(context)

    def handle(self, request: ApiRequest) -> Reply:
        name, identifier = route(request)
        try:
            if name == "v1/oauth/login":
                return self.auth.login(request)
            routes: dict[str, Callable[[Account], Reply]] = {
                "v1/payment": lambda account: self.payments.initialize(request, account),
                "v1/payment/{id}": lambda account: self.payments.status(identifier or ""),
                "v1/transfer": lambda account: self.transfers.create(request, account),
                "v1/transfer/{id}": lambda account: self.transfers.status(identifier or ""),
                "v1/balances": self.transfers.balance,
            }
            handler = routes.get(name) if identifier is not None else None
            if handler is None:
                raise Refusal(404, f"No endpoint {request.method} /{request.endpoint} in the API.")
            account = self.auth.authenticate(request)
            self.transfers.accounting.settle_due()
            return handler(account)
        except Refusal as refusal:
            return refusal.reply()
