"""Transfer API v1: payouts and refunds (CINETPAY_API.md §5).

CinetPay has no refund endpoint, so both seller payouts and buyer refunds are transfers to a mobile money
number. The flow is: log in (a token valid 5 minutes), make sure the recipient is a contact, send, then
check. ``client_transaction_id`` is our idempotency key: CinetPay refuses a reused one (805), so after an
ambiguous send (timeout) the caller looks the transfer up with :meth:`TransferClient.check_transfer`
before ever sending again. That is why :meth:`TransferClient.send_money` is never retried here.

Like the checkout client: no ORM and no settings at import time; :func:`get_transfer_client` reads the
settings at call time. The API key, the password and the session token never appear in logs or in
exception messages, and phone numbers are masked in logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

from .. import exceptions
from . import codes, http
from .checkout import _date_or_none, _int_or_none, _text

logger = logging.getLogger("django_cinetpay.client")

#: CinetPay's tokens live 5 minutes; we stop using one a little earlier so that a request sent just
#: before the limit does not arrive with an expired token.
TOKEN_LIFETIME = 270.0

SUCCESS = "0"
#: 706 INVALID_TOKEN: the session token was refused; log in again.
INVALID_TOKEN = "706"
ALREADY_CONTACT = "726"
NOT_FOUND = "723"

#: ``treatment_status`` values: in progress, done, rejected.
TREATMENT_NEW = "NEW"
TREATMENT_VALIDATED = "VAL"
TREATMENT_REJECTED = "REJ"


@dataclass(frozen=True)
class Balance:
    """The transfer account's balance, in the account's currency. Missing values count as 0."""

    amount: int
    in_using: int
    available: int
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ContactResult:
    """The outcome of adding a recipient as a contact. ``already_contact`` is CinetPay's 726, not an error."""

    prefix: str
    phone: str
    already_contact: bool
    code: str
    message: str
    lot: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __repr__(self) -> str:  # the phone number is personal data: keep it out of reprs and logs
        from ..utils import mask_phone

        return (
            f"ContactResult(prefix={self.prefix!r}, phone={mask_phone(self.phone)!r}, "
            f"already_contact={self.already_contact}, code={self.code!r})"
        )


@dataclass(frozen=True)
class Transfer:
    """What CinetPay says about one transfer (send answer, check answer, or transfer notification).

    Parsed leniently: missing keys give ``""``/``None``. ``treatment_status`` is the state to act on:
    ``VAL`` done, ``REJ`` rejected, ``NEW`` (or anything unknown) still in progress. Payouts can stay
    ``NEW`` for hours while the merchant confirms them by e-mail, so "in progress" is a normal state.
    """

    transaction_id: str
    client_transaction_id: str
    lot: str = ""
    amount: int | None = None
    receiver: str = ""
    treatment_status: str = ""
    sending_status: str = ""
    comment: str = ""
    operator_transaction_id: str = ""
    validated_at: dt.datetime | None = None  # naive: CinetPay sends its local time
    code: str = ""
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_completed(self) -> bool:
        """The money reached the recipient (``treatment_status`` ``VAL``)."""
        return self.treatment_status == TREATMENT_VALIDATED

    @property
    def is_rejected(self) -> bool:
        """CinetPay or the operator refused the transfer (``REJ``): the money was not sent."""
        return self.treatment_status == TREATMENT_REJECTED

    @property
    def is_in_progress(self) -> bool:
        """``NEW`` or a status we do not know: wait and check again, never resend."""
        return not (self.is_completed or self.is_rejected)


def parse_transfer(item: Mapping[str, Any]) -> Transfer:
    """Build a :class:`Transfer` from one item of a send/check answer or from a transfer notification.

    The notification carries the same field names, so the webhook can reuse this (it must still confirm
    with :meth:`TransferClient.check_transfer`, since notifications are not signed).
    """
    return Transfer(
        transaction_id=_text(item.get("transaction_id")),
        client_transaction_id=_text(item.get("client_transaction_id")),
        lot=_text(item.get("lot")),
        amount=_int_or_none(item.get("amount")),
        receiver=_text(item.get("receiver")),
        treatment_status=_text(item.get("treatment_status")).upper(),
        sending_status=_text(item.get("sending_status")).upper(),
        comment=_text(item.get("comment")),
        operator_transaction_id=_text(item.get("operator_transaction_id")),
        validated_at=_date_or_none(item.get("validated_at")),
        code=_code(item.get("code")),
        message=_text(item.get("message")),
        raw=dict(item),
    )


class TransferBackend(Protocol):
    """The interface services rely on, so that a backend for CinetPay's newer API can be added later."""

    def get_balance(self) -> Balance: ...

    def add_contact(self, prefix: str, phone: str, name: str, surname: str, email: str) -> ContactResult: ...

    def send_money(
        self, prefix: str, phone: str, amount: int, client_transaction_id: str, notify_url: str
    ) -> Transfer: ...

    def check_transfer(
        self, client_transaction_id: str = "", *, transaction_id: str = ""
    ) -> Transfer | None: ...


def _code(value: object) -> str:
    """CinetPay's code as a string: the number ``0`` and ``"0"`` both give ``"0"``; ``"701"`` stays."""
    text = _text(value)
    if text.isdigit():
        return str(int(text))
    return text


def _amount(value: object) -> int:
    """A balance figure as an int; decimals are truncated and anything unreadable counts as 0."""
    try:
        return int(float(_text(value) or 0))
    except (ValueError, OverflowError):
        return 0


def _is_token_error(code: str) -> bool:
    """Whether ``code`` means "log in again" (705 EXPIRED_TOKEN, 706 INVALID_TOKEN)."""
    info = codes.TRANSFER_CODES.get(code)
    return info is not None and issubclass(info.error, exceptions.CinetPayTokenExpiredError)


def _items(data: object) -> Iterator[dict[str, Any]]:
    """Every dict in ``data``, however deeply CinetPay nested its arrays (contact answers are ``[[{…}]]``)."""
    if isinstance(data, dict):
        yield data
    elif isinstance(data, list):
        for element in data:
            yield from _items(element)


def _item_error_code(item: Mapping[str, Any]) -> str:
    """The error code an answer item carries, or ``""`` when the item is a success."""
    code = _code(item.get("code"))
    if code and code != SUCCESS:
        return code
    if not code and _text(item.get("status")).lower() in {"error", "failed", "failure"}:
        return "unknown"
    return ""


def _raise_item_error(item: Mapping[str, Any], code: str, status: int) -> None:
    raise codes.transfer_error(
        code, _text(item.get("message")), _text(item.get("description")), http_status=status
    )


class TransferClient:
    """HTTP client of the Transfer API v1. One ``requests.Session`` and one cached token per client.

    ``clock`` (seconds, monotonic) and ``sleep`` are injectable so tests can move time and skip waits.
    A client may be shared between threads: the token cache is guarded by a lock.
    """

    def __init__(
        self,
        *,
        api_key: str,
        password: str,
        base_url: str = "https://client.cinetpay.com/v1",
        timeout: float = 30.0,
        session: Any = None,
        clock: Callable[[], float] = time.monotonic,
        lang: str = "fr",
        check_attempts: int = 3,
        check_backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
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
        self._token = ""
        self._token_expires_at = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never show the key, the password or the token
        return f"<TransferClient base_url={self.base_url}>"

    # --- Session token ---------------------------------------------------------------------------

    def login(self) -> str:
        """``POST /auth/login``: a session token, cached for :data:`TOKEN_LIFETIME` seconds.

        A cached token still young enough is returned without a request. Raises
        :class:`~django_cinetpay.exceptions.CinetPayAuthError` (701 …) when the credentials are refused.
        """
        with self._lock:
            if self._token and self.clock() < self._token_expires_at:
                return self._token
            status, payload = self._send(
                "POST",
                "/auth/login",
                params={"lang": self.lang},
                form={"apikey": self._api_key, "password": self._password},
            )
            envelope = self._envelope(status, payload, "login")
            self._raise_for_envelope(envelope, status)
            data = envelope.get("data")
            token = _text(data.get("token")) if isinstance(data, dict) else ""
            if not token:
                raise exceptions.CinetPayInvalidResponseError(
                    "CinetPay's login answer has no token.", http_status=status
                )
            self._token = token
            self._token_expires_at = self.clock() + TOKEN_LIFETIME
            logger.debug("CinetPay transfer login succeeded")
            return token

    def forget_token(self, token: str | None = None) -> None:
        """Drop the cached token, so that the next call logs in again.

        With ``token``, drop it only if it is still the cached one: another thread may already have
        replaced a refused token with a fresh one.
        """
        with self._lock:
            if token is None or token == self._token:
                self._token = ""
                self._token_expires_at = 0.0

    # --- Operations ------------------------------------------------------------------------------

    def get_balance(self) -> Balance:
        """``GET /transfer/check/balance``: how much can be paid out now. Retried on network errors."""
        status, envelope = http.with_retries(
            lambda: self._authenticated("GET", "/transfer/check/balance", what="balance"),
            attempts=self.check_attempts,
            backoff=self.check_backoff,
            sleep=self.sleep,
        )
        self._raise_for_envelope(envelope, status)
        raw_data = envelope.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        return Balance(
            amount=_amount(data.get("amount")),
            in_using=_amount(data.get("inUsing")),
            available=_amount(data.get("available")),
            raw=envelope,
        )

    def add_contact(self, prefix: str, phone: str, name: str, surname: str, email: str) -> ContactResult:
        """``POST /transfer/contact``: make the recipient a contact, which CinetPay requires before a send.

        Adding an existing contact answers 726 ERROR_PHONE_ALREADY_MY_CONTACT, which is success here, so
        callers may add the contact before every send. Any other error raises the mapped exception.
        """
        contact = {
            "prefix": _prefix(prefix),
            "phone": _text(phone),
            "name": _text(name),
            "surname": _text(surname),
            "email": _text(email),
        }
        logger.info(
            "CinetPay transfer add contact %s",
            http.redact({"prefix": contact["prefix"], "phone": contact["phone"]}),
        )
        status, envelope = self._authenticated(
            "POST", "/transfer/contact", form={"data": json.dumps([contact])}, what="contact"
        )
        envelope_code = _code(envelope.get("code"))
        if envelope_code == ALREADY_CONTACT:
            return self._contact_result(contact, envelope_code, envelope, envelope)
        self._raise_for_envelope(envelope, status)
        items = list(_items(envelope.get("data")))
        mine = [i for i in items if _text(i.get("phone")) in ("", contact["phone"])] or items
        for item in mine:
            code = _item_error_code(item)
            if code == ALREADY_CONTACT:
                return self._contact_result(contact, code, item, envelope)
            if code:
                _raise_item_error(item, code, status)
        item = mine[0] if mine else {}
        return self._contact_result(contact, SUCCESS, item, envelope)

    def send_money(
        self, prefix: str, phone: str, amount: int, client_transaction_id: str, notify_url: str
    ) -> Transfer:
        """``POST /transfer/money/send/contact``: send ``amount`` to a contact. **Never retried.**

        A network error (timeout …) propagates: CinetPay may have acted, so the caller must look the
        transfer up by ``client_transaction_id`` before sending again. Errors may come in the envelope or
        in the answer's items; both raise the mapped exception (724 not a contact, 805 id already used,
        602 balance too low …). An expired token (705/706) is the only case replayed, once, since CinetPay
        refused the request before acting on it.
        """
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError("send_money needs a positive integer amount")
        if not client_transaction_id:
            raise ValueError("send_money needs a client_transaction_id (the idempotency key)")
        item = {
            "prefix": _prefix(prefix),
            "phone": _text(phone),
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
        self._raise_for_envelope(envelope, status)
        items = list(_items(envelope.get("data")))
        for candidate in items:
            code = _item_error_code(candidate)
            if code and _text(candidate.get("client_transaction_id")) in ("", client_transaction_id):
                _raise_item_error(candidate, code, status)
        transfers = [
            parse_transfer(i)
            for i in items
            if not _item_error_code(i)
            and _text(i.get("client_transaction_id")) in ("", client_transaction_id)
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
        if _code(envelope.get("code")) == NOT_FOUND:
            return None
        self._raise_for_envelope(envelope, status)
        items = list(_items(envelope.get("data")))
        for item in items:
            code = _item_error_code(item)
            if code == NOT_FOUND:
                return None
            if code:
                _raise_item_error(item, code, status)
        if not items:
            return None
        for item in items:
            if _text(item.get(key)) == wanted:
                return parse_transfer(item)
        if len(items) == 1 and not _text(items[0].get(key)):
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
                status, payload = exc.http_status, {"code": INVALID_TOKEN, "message": "HTTP 401"}
            envelope = self._envelope(status, payload, what)
            code = _code(envelope.get("code"))
            if not _is_token_error(code):
                return status, envelope
            self.forget_token(token)
            if attempt == 2:
                self._raise_for_envelope(envelope, status)
            logger.info("CinetPay transfer token refused (%s); logging in again", code)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _envelope(status: int, payload: Any, what: str) -> dict[str, Any]:
        """The answer as an envelope dict; a bare array (seen in some answers) becomes its ``data``."""
        if isinstance(payload, dict):
            return payload
        if isinstance(payload, list):
            return {"code": SUCCESS, "data": payload}
        raise exceptions.CinetPayInvalidResponseError(  # pragma: no cover - http.send returns dict or list
            f"CinetPay's {what} answer is not JSON.", http_status=status
        )

    @staticmethod
    def _raise_for_envelope(envelope: Mapping[str, Any], status: int) -> None:
        """Raise the mapped error when the envelope's code is not the success ``0``.

        An envelope without a code is accepted when it is a 2xx answer (lenient parsing); a 4xx without a
        code raises with the HTTP status as code.
        """
        code = _code(envelope.get("code"))
        if code == SUCCESS or (not code and status < 400):
            return
        raise codes.transfer_error(
            code or str(status),
            _text(envelope.get("message")),
            _text(envelope.get("description")),
            http_status=status,
        )

    def _contact_result(
        self,
        contact: Mapping[str, str],
        code: str,
        item: Mapping[str, Any],
        envelope: dict[str, Any],
    ) -> ContactResult:
        return ContactResult(
            prefix=contact["prefix"],
            phone=contact["phone"],
            already_contact=code == ALREADY_CONTACT,
            code=code,
            message=_text(item.get("message")) or _text(envelope.get("message")),
            lot=_text(item.get("lot")),
            raw=envelope,
        )


def _prefix(value: object) -> str:
    """A country calling code as CinetPay wants it: digits only (``"+225"`` → ``"225"``)."""
    return _text(value).lstrip("+").strip()


def get_transfer_client(**overrides: Any) -> TransferClient:
    """A client built from the settings, read now (so ``override_settings`` works)."""
    from ..conf import settings

    options: dict[str, Any] = {
        "api_key": settings.CINETPAY_API_KEY,
        "password": settings.CINETPAY_TRANSFER_PASSWORD,
        "base_url": settings.CINETPAY_TRANSFER_API_URL,
        "timeout": settings.CINETPAY_TIMEOUT,
        "lang": settings.CINETPAY_LANG,
        "check_attempts": settings.CINETPAY_CHECK_ATTEMPTS,
        "check_backoff": settings.CINETPAY_CHECK_BACKOFF,
    }
    options.update(overrides)
    return TransferClient(**options)
