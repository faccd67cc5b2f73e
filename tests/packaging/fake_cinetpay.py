"""A small fake of CinetPay's Checkout API v2, written from CINETPAY_API.md §1-3 alone.

It deliberately shares no code with ``django_cinetpay`` (not its client, not its signing helpers, not its
simulator): the packaging test must prove that the installed app talks to *any* server that follows the
documented API, so the x-token is computed here with ``hmac``/``hashlib`` from the documented field order.

The server runs in a thread on ``127.0.0.1`` (port chosen by the OS). The test "pays" with
:meth:`FakeCinetPay.pay`, which marks the payment paid and posts the form-encoded notification, signed with
the ``x-token`` header, to the ``notify_url`` it received at initialisation.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: CINETPAY_API.md §3: the x-token message is these received values, concatenated in this order.
X_TOKEN_FIELDS = (
    "cpm_site_id",
    "cpm_trans_id",
    "cpm_trans_date",
    "cpm_amount",
    "cpm_currency",
    "signature",
    "payment_method",
    "cel_phone_num",
    "cpm_phone_prefixe",
    "cpm_language",
    "cpm_version",
    "cpm_payment_config",
    "cpm_page_action",
    "cpm_custom",
    "cpm_designation",
    "cpm_error_message",
)

#: CINETPAY_API.md §1: fields ``POST /payment`` requires.
REQUIRED_INIT_FIELDS = (
    "apikey",
    "site_id",
    "transaction_id",
    "amount",
    "currency",
    "description",
    "notify_url",
    "return_url",
    "channels",
)
CURRENCIES = ("XOF", "XAF", "CDF", "GNF", "USD")
CHANNELS = ("ALL", "MOBILE_MONEY", "CREDIT_CARD", "WALLET")
FORBIDDEN_DESCRIPTION_CHARS = "#/$_&"
PAID_AT = "2025-03-14 10:15:00"


@dataclass
class FakePayment:
    """One payment the fake knows, as initialised by the merchant."""

    transaction_id: str
    amount: int
    currency: str
    description: str
    metadata: str
    notify_url: str
    return_url: str
    payment_token: str
    paid: bool = False


@dataclass
class Delivery:
    """One notification the fake posted to the merchant, and the HTTP status it got back."""

    url: str
    form: dict[str, str]
    x_token: str
    status: int
    body: str


@dataclass
class Received:
    """One API request the fake received (path, headers, parsed JSON body)."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeCinetPay:
    """The fake server's state. Start it with :meth:`start`, stop it with :meth:`stop`."""

    api_key: str
    site_id: str
    secret_key: str
    payments: dict[str, FakePayment] = field(default_factory=dict)
    inits: list[Received] = field(default_factory=list)
    checks: list[Received] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    #: Requests the fake refused, with why: a well-behaved client leaves this empty.
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeCinetPay:
        """Listen on 127.0.0.1 (a free port) in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-cinetpay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """What ``CINETPAY_CHECKOUT_API_URL`` points at."""
        return self.url + "/v2"

    # --- the API (called from the handler) ------------------------------------------------------------

    def _refuse(self, reason: str, code: str, message: str) -> dict[str, Any]:
        self.refusals.append(reason)
        return {"code": code, "message": message, "description": reason, "api_response_id": _response_id()}

    def init_payment(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /v2/payment`` (CINETPAY_API.md §1)."""
        missing = [name for name in REQUIRED_INIT_FIELDS if body.get(name) in (None, "")]
        if missing:
            return self._refuse(f"missing fields {missing}", "608", "MINIMUM_REQUIRED_FIELDS")
        if body["apikey"] != self.api_key:
            return self._refuse("wrong apikey", "609", "AUTH_NOT_FOUND")
        if str(body["site_id"]) != self.site_id:
            return self._refuse("wrong site_id", "613", "ERROR_SITE_ID_NOTVALID")
        amount = body["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount % 5:
            return self._refuse(f"amount {amount!r} is not an integer multiple of 5", "608", "INVALID_AMOUNT")
        if amount < 100:
            return self._refuse(f"amount {amount} is too low", "641", "ERROR_AMOUNT_TOO_LOW")
        if body["currency"] not in CURRENCIES:
            return self._refuse(f"currency {body['currency']!r}", "612", "ERROR_CURRENCY_NOTVALID")
        if any(channel not in CHANNELS for channel in str(body["channels"]).split(",")):
            return self._refuse(f"channels {body['channels']!r}", "608", "MINIMUM_REQUIRED_FIELDS")
        if any(char in FORBIDDEN_DESCRIPTION_CHARS for char in body["description"]):
            return self._refuse("forbidden character in description", "608", "MINIMUM_REQUIRED_FIELDS")
        if body["transaction_id"] in self.payments:
            return self._refuse("transaction_id reused", "608", "TRANSACTION_ID_ALREADY_USED")
        token = secrets.token_hex(16)
        self.payments[body["transaction_id"]] = FakePayment(
            transaction_id=body["transaction_id"],
            amount=amount,
            currency=body["currency"],
            description=body["description"],
            metadata=str(body.get("metadata") or ""),
            notify_url=body["notify_url"],
            return_url=body["return_url"],
            payment_token=token,
        )
        return {
            "code": "201",
            "message": "CREATED",
            "description": "Transaction created with success",
            "data": {"payment_token": token, "payment_url": f"{self.url}/payment/{token}"},
            "api_response_id": _response_id(),
        }

    def check_payment(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /v2/payment/check`` (CINETPAY_API.md §2): ``"00"``/ACCEPTED once paid, else ``"662"``."""
        if body.get("apikey") != self.api_key or str(body.get("site_id")) != self.site_id:
            return self._refuse("wrong credentials on check", "609", "AUTH_NOT_FOUND")
        payment = self.payments.get(str(body.get("transaction_id") or ""))
        if payment is None and body.get("token"):
            payment = next((p for p in self.payments.values() if p.payment_token == body["token"]), None)
        if payment is None:
            return self._refuse(f"check of an unknown payment {body!r}", "608", "MINIMUM_REQUIRED_FIELDS")
        data: dict[str, Any] = {
            "amount": str(payment.amount),  # a string, as CinetPay sends it
            "currency": payment.currency,
            "description": payment.description,
            "metadata": payment.metadata or None,
        }
        if payment.paid:
            data |= {
                "status": "ACCEPTED",
                "payment_method": "OM",
                "operator_id": "MP250314.1015.A12345",
                "payment_date": PAID_AT,
                "fund_availability_date": "2025-03-16 00:00:00",
            }
            return {"code": "00", "message": "SUCCES", "data": data, "api_response_id": _response_id()}
        data |= {
            "status": "WAITING_FOR_CUSTOMER",
            "payment_method": "",
            "operator_id": None,
            "payment_date": " ",
        }
        return {
            "code": "662",
            "message": "WAITING_CUSTOMER_PAYMENT",
            "data": data,
            "api_response_id": _response_id(),
        }

    # --- what the test calls ----------------------------------------------------------------------------

    def notification_form(self, payment: FakePayment) -> dict[str, str]:
        """The form fields CinetPay posts to ``notify_url`` (CINETPAY_API.md §3), in the documented order."""
        return {
            "cpm_site_id": self.site_id,
            "cpm_trans_id": payment.transaction_id,
            "cpm_trans_date": PAID_AT,
            "cpm_amount": str(payment.amount),
            "cpm_currency": payment.currency,
            "signature": secrets.token_hex(20),
            "payment_method": "OM",
            "cel_phone_num": "0707070707",
            "cpm_phone_prefixe": "225",
            "cpm_language": "fr",
            "cpm_version": "V4",
            "cpm_payment_config": "SINGLE",
            "cpm_page_action": "PAYMENT",
            "cpm_custom": payment.metadata,
            "cpm_designation": payment.description,
            "cpm_error_message": "",
        }

    def x_token(self, form: dict[str, str]) -> str:
        """Lowercase hex HMAC-SHA256 of the documented fields, keyed with the merchant's secret key."""
        message = "".join(form.get(name, "") for name in X_TOKEN_FIELDS)
        return hmac.new(self.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()

    def pay(self, transaction_id: str, *, deliveries: int = 2) -> list[Delivery]:
        """The customer pays: mark the payment paid, then notify the merchant ``deliveries`` times.

        Every delivery posts the same signed form, as CinetPay does when it calls more than once.
        """
        payment = self.payments[transaction_id]
        payment.paid = True
        form = self.notification_form(payment)
        token = self.x_token(form)
        sent = [_post_form(payment.notify_url, form, token) for _ in range(deliveries)]
        self.deliveries.extend(sent)
        return sent


def _response_id() -> str:
    return secrets.token_hex(8)


def _post_form(url: str, form: dict[str, str], x_token: str) -> Delivery:
    """POST ``form`` url-encoded with the ``x-token`` header; never through a proxy (127.0.0.1 only)."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "fake-cinetpay/1.0",
            "x-token": x_token,
        },
        method="POST",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=15) as response:
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode("utf-8", "replace")
    return Delivery(url=url, form=form, x_token=x_token, status=status, body=body)


class _Handler(BaseHTTPRequestHandler):
    """Routes the two Checkout API endpoints to the :class:`FakeCinetPay` on the server."""

    server_version = "fake-cinetpay/1.0"

    @property
    def fake(self) -> FakeCinetPay:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads what the fake recorded instead."""

    def _answer(self, status: int, payload: dict[str, Any] | str) -> None:
        body = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        ctype = "text/plain" if isinstance(payload, str) else "application/json"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        fake = self.fake
        path = self.path.split("?", 1)[0].rstrip("/")
        routes = {
            "/v2/payment": (fake.init_payment, fake.inits),
            "/v2/payment/check": (fake.check_payment, fake.checks),
        }
        if path not in routes:
            self._answer(404, {"code": "404", "message": "NOT_FOUND"})
            return
        handler, log = routes[path]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with fake.lock:
            if not self.headers.get("User-Agent"):
                fake.refusals.append(f"{path}: no User-Agent")
                self._answer(403, "error code: 1010")
                return
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            is_json = "application/json" in (self.headers.get("Content-Type") or "")
            if not is_json or not isinstance(body, dict):
                fake.refusals.append(f"{path}: body is not JSON")
                self._answer(403, "Forbidden")
                return
            log.append(Received(path, dict(self.headers.items()), body))
            self._answer(200, handler(body))
