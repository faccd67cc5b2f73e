"""What the Transfer API v1 answers (CINETPAY_API.md §5), as typed objects, and how its answers are read.

The HTTP client (:mod:`.transfer`) sends; this module says what an answer means: which code is success,
where errors hide (in the envelope or in one item of ``data``, however deeply CinetPay nested its arrays),
and how a transfer, a contact or a balance is parsed. A transfer notification carries the same fields as
a check answer's item, so the webhook parses it with :func:`parse_transfer` too.

Parsing is lenient (:mod:`.parsing`): a missing key gives ``""``/``None``, never an exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import exceptions
from . import codes
from .parsing import data_of, date_or_none, int_or_none, text

SUCCESS = "0"
#: 706 INVALID_TOKEN: the session token was refused; log in again.
INVALID_TOKEN = "706"
ALREADY_CONTACT = "726"
#: 724 ERROR_PHONE_NOT_MY_CONTACT: a send to a recipient that is not (or no longer) a contact.
NOT_CONTACT = "724"
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
    #: The account's currency, when the answer names it (the CinetPay API's does; Transfer v1's not).
    currency: str = ""


@dataclass(frozen=True)
class ContactResult:
    """The outcome of adding a recipient as a contact. ``already_contact`` is CinetPay's 726, not an error.

    ``remembered``: CinetPay was not asked, because this account added the contact before (the client's
    memory, :mod:`.memory`); a send to it that CinetPay answers 724 shows CinetPay no longer has it.
    """

    prefix: str
    phone: str
    already_contact: bool
    code: str
    message: str
    lot: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    remembered: bool = False

    def __repr__(self) -> str:  # the phone number is personal data: keep it out of reprs and logs
        from ..utils import mask_phone

        return (
            f"ContactResult(prefix={self.prefix!r}, phone={mask_phone(self.phone)!r}, "
            f"already_contact={self.already_contact}, code={self.code!r}, remembered={self.remembered})"
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
    #: The CinetPay API's token that this transfer's notifications carry; ``""`` on Transfer v1.
    notify_token: str = ""
    #: The currency the transfer pays in, when the answer names it (the CinetPay API's does).
    currency: str = ""

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


class TransferBackend(Protocol):
    """The interface services rely on: :class:`~.transfer.TransferClient` (Transfer API v1) and
    :class:`~.api.transfers.ApiTransferClient` (the CinetPay API) implement it."""

    def get_balance(self) -> Balance: ...

    def add_contact(self, prefix: str, phone: str, name: str, surname: str, email: str) -> ContactResult: ...

    def send_money(
        self, prefix: str, phone: str, amount: int, client_transaction_id: str, notify_url: str
    ) -> Transfer: ...

    def check_transfer(
        self, client_transaction_id: str = "", *, transaction_id: str = ""
    ) -> Transfer | None: ...


def parse_transfer(item: Mapping[str, Any]) -> Transfer:
    """Build a :class:`Transfer` from one item of a send/check answer or from a transfer notification.

    The notification carries the same field names, so the webhook can reuse this (it must still confirm
    with :meth:`~.transfer.TransferClient.check_transfer`, since notifications are not signed).
    """
    return Transfer(
        transaction_id=text(item.get("transaction_id")),
        client_transaction_id=text(item.get("client_transaction_id")),
        lot=text(item.get("lot")),
        amount=int_or_none(item.get("amount")),
        receiver=text(item.get("receiver")),
        treatment_status=text(item.get("treatment_status")).upper(),
        sending_status=text(item.get("sending_status")).upper(),
        comment=text(item.get("comment")),
        operator_transaction_id=text(item.get("operator_transaction_id")),
        validated_at=date_or_none(item.get("validated_at")),
        code=code_of(item),
        message=text(item.get("message")),
        raw=dict(item),
    )


def parse_balance(envelope: dict[str, Any]) -> Balance:
    """Build a :class:`Balance` from a successful balance answer."""
    data = data_of(envelope)
    return Balance(
        amount=figure(data.get("amount")),
        in_using=figure(data.get("inUsing")),
        available=figure(data.get("available")),
        raw=envelope,
    )


def contact_result(
    contact: Mapping[str, str], code: str, item: Mapping[str, Any], envelope: dict[str, Any]
) -> ContactResult:
    """The :class:`ContactResult` for ``contact`` (what was sent), given the answer's item for it."""
    return ContactResult(
        prefix=contact["prefix"],
        phone=contact["phone"],
        already_contact=code == ALREADY_CONTACT,
        code=code,
        message=text(item.get("message")) or text(envelope.get("message")),
        lot=text(item.get("lot")),
        raw=envelope,
    )


def code_of(answer: Mapping[str, Any]) -> str:
    """The ``code`` of an envelope or item as a string: ``0`` and ``"0"`` give ``"0"``; ``"701"`` stays."""
    written = text(answer.get("code"))
    return str(int(written)) if written.isdigit() else written


def figure(value: object) -> int:
    """A balance figure (``"249711.74"``) as an int; decimals are truncated, anything unreadable is 0."""
    try:
        return int(float(text(value) or 0))
    except (ValueError, OverflowError):
        return 0


def is_token_error(code: str) -> bool:
    """Whether ``code`` means "log in again" (705 EXPIRED_TOKEN, 706 INVALID_TOKEN)."""
    info = codes.TRANSFER_CODES.get(code)
    return info is not None and issubclass(info.error, exceptions.CinetPayTokenExpiredError)


def envelope_of(status: int, payload: Any, what: str) -> dict[str, Any]:
    """The answer as an envelope dict; a bare array (seen in some answers) becomes its ``data``."""
    if isinstance(payload, dict):
        return payload
    if isinstance(payload, list):
        return {"code": SUCCESS, "data": payload}
    raise exceptions.CinetPayInvalidResponseError(  # pragma: no cover - http.send returns dict or list
        f"CinetPay's {what} answer is not JSON.", http_status=status
    )


def raise_for_envelope(envelope: Mapping[str, Any], status: int) -> None:
    """Raise the mapped error when the envelope's code is not the success ``0``.

    An envelope without a code is accepted when it is a 2xx answer (lenient parsing); a 4xx without a
    code raises with the HTTP status as code.
    """
    code = code_of(envelope)
    if code == SUCCESS or (not code and status < 400):
        return
    raise codes.transfer_error(
        code or str(status),
        text(envelope.get("message")),
        text(envelope.get("description")),
        http_status=status,
    )


def items_of(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every object in the answer's ``data``, however deeply nested (contact answers are ``[[{…}]]``)."""
    return list(_objects(envelope.get("data")))


def _objects(data: object) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
    elif isinstance(data, list):
        for element in data:
            yield from _objects(element)


def item_error_code(item: Mapping[str, Any]) -> str:
    """The error code an answer item carries, or ``""`` when the item is a success."""
    code = code_of(item)
    if code and code != SUCCESS:
        return code
    if not code and text(item.get("status")).lower() in {"error", "failed", "failure"}:
        return "unknown"
    return ""


def raise_item_error(item: Mapping[str, Any], code: str, status: int) -> None:
    """Raise the mapped error for an answer item that carries error ``code``."""
    raise codes.transfer_error(
        code, text(item.get("message")), text(item.get("description")), http_status=status
    )
