"""Transfer API v1 client: payouts and refunds (CINETPAY_API.md §5).

CinetPay has no refund endpoint, so both seller payouts and buyer refunds are transfers to a mobile money
number. The flow is: log in (a token valid 5 minutes), make sure the recipient is a contact, send, then
check. ``client_transaction_id`` is our idempotency key: CinetPay refuses a reused one (805), so after an
ambiguous send (timeout) the caller looks the transfer up with :meth:`TransferClient.check_transfer`
before ever sending again. That is why :meth:`TransferClient.send_money` is never retried here.

This module is the HTTP side (requests, the login token); what the answers mean and the objects they
become live in :mod:`.transfer_answers`, and what a client remembers between calls and processes (the
token, the contacts it added) in :mod:`.memory`. Like the checkout client: no ORM and no settings
here; :func:`~django_cinetpay.client.factories.get_transfer_client` builds a client from the settings and
shares it. The API key, the password and the session token never appear in logs or in exception
messages, and phone numbers are masked in logs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from .. import exceptions
from . import http
from .memory import Cache, TransferMemory
from .parsing import text
from .transfer_answers import (
    ALREADY_CONTACT,
    INVALID_TOKEN,
    NOT_CONTACT,
    NOT_FOUND,
    SUCCESS,
    Balance,
    ContactResult,
    Transfer,
    code_of,
    contact_result,
    envelope_of,
    is_token_error,
    item_error_code,
    items_of,
    parse_balance,
    parse_transfer,
    raise_for_envelope,
    raise_item_error,
)

logger = logging.getLogger("django_cinetpay.client")

#: CinetPay's tokens live 5 minutes; we stop using one a little earlier so that a request sent just
#: before the limit does not arrive with an expired token.
TOKEN_LIFETIME = 270.0


class TransferClient:
    """HTTP client of the Transfer API v1. One ``requests.Session`` per client; its login token and the
    contacts it added are remembered by the client, and in ``cache`` for every process (see :mod:`.memory`).

    Build it once and share it (:func:`~django_cinetpay.client.factories.get_transfer_client` does): its
    connections are reused, and with a ``cache`` every process shares, the account logs in once per
    :data:`TOKEN_LIFETIME` and adds each recipient once, whichever process sends. Without one the client
    remembers for itself only. Threads may share it: a lock makes threads finding no token wait for one
    login. ``cache_namespace`` separates key spaces in the cache (the factory's, after ``clear_clients``).

    ``clock`` (wall-clock seconds, the clock processes share) and ``sleep`` are injectable so tests can
    move time and skip waits.
    """

    def __init__(
        self,
        *,
        api_key: str,
        password: str,
        base_url: str = "https://client.cinetpay.com/v1",
        timeout: float = 30.0,
        session: Any = None,
        clock: Callable[[], float] = time.time,
        lang: str = "fr",
        check_attempts: int = 3,
        check_backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        cache: Cache | None = None,
        cache_namespace: str = "",
    ) -> None:
        if not api_key or not password:
            raise exceptions.CinetPayConfigurationError(
                "CINETPAY_API_KEY and CINETPAY_TRANSFER_PASSWORD must be set to call CinetPay's Transfer "
                "API (the API password is set in the CinetPay back-office)."
            )
        self._api_key = api_key
        self._password = password
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or http.new_session()
        self.clock = clock
        self.lang = lang or "fr"
        self.check_attempts = max(1, check_attempts)
        self.check_backoff = check_backoff
        self.sleep = sleep
        self.memory = TransferMemory(
            cache, api_key=api_key, base_url=self.base_url, namespace=cache_namespace
        )
        # Held during the login request, so that threads finding no valid token wait for one login
        # instead of each making one.
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the key, the password or the token
        return f"<TransferClient base_url={self.base_url}>"

    # --- Session token ---------------------------------------------------------------------------

    def login(self) -> str:
        """``POST /auth/login``: a session token, remembered for :data:`TOKEN_LIFETIME` seconds.

        A remembered token still young enough (this process's, or another's through the shared cache) is
        returned without a request; threads asking together while there is none wait for a single login.
        Raises :class:`~django_cinetpay.exceptions.CinetPayAuthError` (701 …) when the credentials are
        refused.
        """
        token = self.memory.token(self.clock())
        if token:
            return token
        with self._lock:
            token = self.memory.token(self.clock())  # a thread we waited for may have logged in
            if token:
                return token
            status, payload = self._send(
                "POST",
                "/auth/login",
                params={"lang": self.lang},
                form={"apikey": self._api_key, "password": self._password},
            )
            envelope = envelope_of(status, payload, "login")
            raise_for_envelope(envelope, status)
            data = envelope.get("data")
            token = text(data.get("token")) if isinstance(data, dict) else ""
            if not token:
                raise exceptions.CinetPayInvalidResponseError(
                    "CinetPay's login answer has no token.", http_status=status
                )
            now = self.clock()
            self.memory.keep_token(token, now=now, expires_at=now + TOKEN_LIFETIME)
            logger.debug("CinetPay transfer login succeeded")
            return token

    def forget_token(self, token: str | None = None) -> None:
        """Drop the remembered token (for every process sharing the cache), so the next call logs in.

        With ``token``, drop it only if it is still the remembered one: another thread or process may
        already have replaced a refused token with a fresh one.
        """
        self.memory.drop_token(token)

    # --- Operations ------------------------------------------------------------------------------

    def get_balance(self) -> Balance:
        """``GET /transfer/check/balance``: how much can be paid out now. Retried on network errors."""
        status, envelope = http.with_retries(
            lambda: self._authenticated("GET", "/transfer/check/balance", what="balance"),
            attempts=self.check_attempts,
            backoff=self.check_backoff,
            sleep=self.sleep,
        )
        raise_for_envelope(envelope, status)
        return parse_balance(envelope)

    def add_contact(self, prefix: str, phone: str, name: str, surname: str, email: str) -> ContactResult:
        """``POST /transfer/contact``: make the recipient a contact, which CinetPay requires before a send.

        Adding an existing contact answers 726 ERROR_PHONE_ALREADY_MY_CONTACT, which is success here, so
        callers may add the contact before every send: a contact this account added before (see
        :mod:`.memory`) is not sent again, and the result says ``remembered``. Any other error raises the
        mapped exception.
        """
        if self.memory.knows_contact(_prefix(prefix), text(phone)):
            return ContactResult(
                prefix=_prefix(prefix),
                phone=text(phone),
                already_contact=True,
                code=ALREADY_CONTACT,
                message="added before",
                remembered=True,
            )
        contact = {
            "prefix": _prefix(prefix),
            "phone": text(phone),
            "name": text(name),
            "surname": text(surname),
            "email": text(email),
        }
        logger.info(
            "CinetPay transfer add contact %s",
            http.redact({"prefix": contact["prefix"], "phone": contact["phone"]}),
        )
        status, envelope = self._authenticated(
            "POST", "/transfer/contact", form={"data": json.dumps([contact])}, what="contact"
        )
        result = self._read_contact_answer(contact, status, envelope)
        self.memory.remember_contact(result.prefix, result.phone)
        return result

    @staticmethod
    def _read_contact_answer(contact: dict[str, str], status: int, envelope: dict[str, Any]) -> ContactResult:
        """What CinetPay answered about adding ``contact``: added, or already one (726); else raises."""
        envelope_code = code_of(envelope)
        if envelope_code == ALREADY_CONTACT:
            return contact_result(contact, envelope_code, envelope, envelope)
        raise_for_envelope(envelope, status)
        items = items_of(envelope)
        mine = [i for i in items if text(i.get("phone")) in ("", contact["phone"])] or items
        for item in mine:
            code = item_error_code(item)
            if code == ALREADY_CONTACT:
                return contact_result(contact, code, item, envelope)
            if code:
                raise_item_error(item, code, status)
        item = mine[0] if mine else {}
        return contact_result(contact, SUCCESS, item, envelope)

    def send_money(
        self, prefix: str, phone: str, amount: int, client_transaction_id: str, notify_url: str
    ) -> Transfer:
        """``POST /transfer/money/send/contact``: send ``amount`` to a contact. **Never retried.**

        A network error (timeout …) propagates: CinetPay may have acted, so the caller must look the
        transfer up by ``client_transaction_id`` before sending again. Errors may come in the envelope or
        in the answer's items; both raise the mapped exception (724 not a contact, 805 id already used,
        602 balance too low …). An expired token (705/706) is the only case replayed, once, since CinetPay
        refused the request before acting on it. A 724 also makes the client forget the recipient as a
        contact, so that the next :meth:`add_contact` asks CinetPay again.
        """
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError("send_money needs a positive integer amount")
        if not client_transaction_id:
            raise ValueError("send_money needs a client_transaction_id (the idempotency key)")
        to_prefix, to_phone = _prefix(prefix), text(phone)
        item = {
            "prefix": to_prefix,
            "phone": to_phone,
            "amount": amount,
            "client_transaction_id": client_transaction_id,
        }
        if notify_url:
            item["notify_url"] = notify_url
        logger.info(
            "CinetPay transfer send %s",
            http.redact({k: v for k, v in item.items() if k != "notify_url"}),
        )
        status, envelope = self._authenticated(
            "POST", "/transfer/money/send/contact", form={"data": json.dumps([item])}, what="send"
        )
        try:
            return self._read_send_answer(client_transaction_id, status, envelope)
        except exceptions.CinetPayAPIError as exc:
            if exc.code == NOT_CONTACT:
                self.memory.forget_contact(to_prefix, to_phone)
            raise

    @staticmethod
    def _read_send_answer(client_transaction_id: str, status: int, envelope: dict[str, Any]) -> Transfer:
        """The transfer a send answer reports for ``client_transaction_id``; raises its error, if any."""
        raise_for_envelope(envelope, status)
        items = items_of(envelope)
        for candidate in items:
            code = item_error_code(candidate)
            if code and text(candidate.get("client_transaction_id")) in ("", client_transaction_id):
                raise_item_error(candidate, code, status)
        transfers = [
            parse_transfer(i)
            for i in items
            if not item_error_code(i) and text(i.get("client_transaction_id")) in ("", client_transaction_id)
        ]
        if not transfers:
            raise exceptions.CinetPayInvalidResponseError(
                "CinetPay's send answer has no transfer item; look the transfer up by its "
                "client_transaction_id before sending again.",
                http_status=status,
            )
        return transfers[0]

    def check_transfer(self, client_transaction_id: str = "", *, transaction_id: str = "") -> Transfer | None:
        """``GET /transfer/check/money`` by our ``client_transaction_id`` (or CinetPay's ``transaction_id``).

        Returns ``None`` when CinetPay knows no such transfer (empty ``data`` or 723 NOT_FOUND), so that
        "never sent" is told apart from an error, which raises. Idempotent, hence retried on network errors.
        """
        if not client_transaction_id and not transaction_id:
            raise ValueError("check_transfer needs a client_transaction_id or a transaction_id")
        key, wanted = (
            ("client_transaction_id", client_transaction_id)
            if client_transaction_id
            else ("transaction_id", transaction_id)
        )
        status, envelope = http.with_retries(
            lambda: self._authenticated("GET", "/transfer/check/money", params={key: wanted}, what="check"),
            attempts=self.check_attempts,
            backoff=self.check_backoff,
            sleep=self.sleep,
        )
        if code_of(envelope) == NOT_FOUND:
            return None
        raise_for_envelope(envelope, status)
        items = items_of(envelope)
        for item in items:
            code = item_error_code(item)
            if code == NOT_FOUND:
                return None
            if code:
                raise_item_error(item, code, status)
        if not items:
            return None
        for item in items:
            if text(item.get(key)) == wanted:
                return parse_transfer(item)
        if len(items) == 1 and not text(items[0].get(key)):
            return parse_transfer(items[0])
        raise exceptions.CinetPayInvalidResponseError(
            f"CinetPay's check answer for {key} {wanted!r} lists other transfers only.", http_status=status
        )

    # --- Plumbing --------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        form: dict[str, Any] | None = None,
    ) -> tuple[int, Any]:
        """One request through :func:`http.send`, with the request's exception chain cut off.

        ``requests`` exceptions (and the request object they carry) contain the URL, whose query holds the
        token, and the body, which holds the password at login. Our exception's own message is safe, so
        the chain is dropped rather than risk a traceback in a log showing a credential.
        """
        try:
            return http.send(
                self.session, method, f"{self.base_url}{path}", timeout=self.timeout, params=params, form=form
            )
        except exceptions.CinetPayNetworkError as exc:
            exc.__context__ = None
            raise exc from None

    def _authenticated(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        form: dict[str, Any] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Send with the session token; on 705/706 log in again once and replay the same request once.

        Returns ``(http_status, envelope)``; raising on the envelope's other codes is the caller's job,
        because some codes (723, 726) are answers rather than errors there.
        """
        for attempt in (1, 2):
            token = self.login()
            query = {"token": token, "lang": self.lang, **(params or {})}
            try:
                status, payload = self._send(method, path, params=query, form=form)
            except exceptions.CinetPayInvalidResponseError as exc:
                if exc.http_status != HTTPStatus.UNAUTHORIZED:
                    raise
                # A bare 401 page (a gateway in front of CinetPay) refuses the token as 706 would.
                status, payload = (
                    HTTPStatus.UNAUTHORIZED.value,
                    {"code": INVALID_TOKEN, "message": "HTTP 401"},
                )
            envelope = envelope_of(status, payload, what)
            code = code_of(envelope)
            if not is_token_error(code):
                return status, envelope
            self.forget_token(token)
            if attempt == 2:
                raise_for_envelope(envelope, status)
            logger.info("CinetPay transfer token refused (%s); logging in again", code)
        raise AssertionError("unreachable")  # pragma: no cover


def _prefix(value: object) -> str:
    """A country calling code as CinetPay wants it: digits only (``"+225"`` → ``"225"``)."""
    return text(value).lstrip("+").strip()
