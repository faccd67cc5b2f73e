"""Transfer API v1 as CinetPay answers it (CINETPAY_API.md §5): login, balance, contacts, send, check.

Success envelopes carry the *number* ``0``; error envelopes a *string* code (``"701"``), answered with
HTTP 400. Per-item results (contacts) carry numeric codes, ``726`` for an existing contact. The account's
balance is derived from the transfers: ``amount`` is the starting balance minus what was paid out,
``inUsing`` what is still ``NEW``, ``available`` the difference. Transfers stay ``NEW`` until an explicit
action settles them, or until ``Options.transfer_delay`` has passed (checked whenever a transfer request
comes in). Amount limits are not published; the simulator uses :data:`TRANSFER_LIMITS`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django_cinetpay.client.codes import TRANSFER_CODES

from .context import Context
from .faults import TRANSFER_NOTIFICATION, Fault
from .messages import ApiRequest, Reply, integer
from .notifications import Delivery, transfer_fields, transfer_notification_of
from .records import Contact, Transfer, TreatmentStatus
from .store import AlreadyExistsError

#: How long a session token lives.
TOKEN_LIFETIME = dt.timedelta(minutes=5)
#: (minimum, maximum) of one transfer.
TRANSFER_LIMITS = (100, 1_500_000)
#: ``sending_status`` after each treatment status (CinetPay does not publish the list; §7).
SENDING_STATUS = {
    TreatmentStatus.NEW: "PENDING",
    TreatmentStatus.VAL: "CONFIRM",
    TreatmentStatus.REJ: "CANCEL",
}
CONTACT_FIELDS = ("prefix", "phone", "name", "surname", "email")
SEND_FIELDS = ("prefix", "phone", "amount", "client_transaction_id")


class TransferError(ValueError):
    """An explicit action on a transfer cannot happen (unknown, or already settled)."""


class _Refusal(Exception):
    """Internal: stop handling a request with a CinetPay error code."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class Transfers:
    """The Transfer API's endpoints, and the actions that settle a transfer."""

    def __init__(self, context: Context) -> None:
        self.context = context

    # --- the API ---------------------------------------------------------------------------------------

    def handle(self, request: ApiRequest) -> Reply:
        routes = {
            ("POST", "auth/login"): self.login,
            ("GET", "transfer/check/balance"): self.balance,
            ("POST", "transfer/contact"): self.add_contacts,
            ("POST", "transfer/money/send/contact"): self.send,
            ("GET", "transfer/check/money"): self.check,
        }
        route = routes.get((request.method, request.endpoint))
        try:
            if route is None:
                raise _Refusal("708", f"{request.method} {request.endpoint} is not a Transfer API operation.")
            if request.endpoint != "auth/login":
                self._authenticate(request)
                self.settle_due()
            return route(request)
        except _Refusal as refusal:
            info = TRANSFER_CODES.get(refusal.code)
            return Reply.json(
                {
                    "code": refusal.code,
                    "message": info.name if info else "ERROR",
                    "description": refusal.description,
                },
                400,
            )

    @staticmethod
    def _ok(data: Any) -> Reply:
        return Reply.json(
            {"code": 0, "message": "OPERATION_SUCCES", "description": "Operation successful", "data": data}
        )

    def login(self, request: ApiRequest) -> Reply:
        """``POST auth/login`` with form ``apikey`` and ``password``: a token valid 5 minutes."""
        form = request.form()
        if not form.get("apikey") or not form.get("password"):
            raise _Refusal("704", "apikey and password are required (form fields).")
        creds = self.context.credentials
        if form["apikey"] != creds.api_key or form["password"] != creds.transfer_password:
            raise _Refusal("701", "Incorrect apikey or transfer password.")
        token = secrets.token_hex(32)
        self.context.store.add_session(token, self.context.clock())
        return self._ok({"token": token})

    def _authenticate(self, request: ApiRequest) -> None:
        token = request.query.get("token", "")
        issued_at = self.context.store.session_issued_at(token) if token else None
        if issued_at is None:
            raise _Refusal("706", "The token is invalid; log in again.")
        if self.context.clock() >= issued_at + TOKEN_LIFETIME:
            raise _Refusal("705", "The token has expired; log in again.")

    def balance(self, request: ApiRequest) -> Reply:
        """``GET transfer/check/balance``."""
        return self._ok(self.account())

    def account(self) -> dict[str, int]:
        """The balance as CinetPay reports it: ``amount``, ``inUsing``, ``available``."""
        transfers = self.context.store.list_transfers()
        paid = sum(t.amount for t in transfers if t.treatment_status == TreatmentStatus.VAL.value)
        in_using = sum(t.amount for t in transfers if t.treatment_status == TreatmentStatus.NEW.value)
        amount = self.context.options.transfer_balance - paid
        return {"amount": amount, "inUsing": in_using, "available": amount - in_using}

    @staticmethod
    def _items(request: ApiRequest, required: tuple[str, ...]) -> list[dict[str, Any]]:
        raw = request.form().get("data", "")
        try:
            items = json.loads(raw)
        except ValueError:
            raise _Refusal("718", "The data field is not valid JSON.") from None
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise _Refusal("716", "data must be a JSON array of objects.")
        for item in items:
            missing = [name for name in required if item.get(name) in (None, "")]
            if missing:
                raise _Refusal("716", f"Missing {', '.join(missing)}.")
        return items

    def add_contacts(self, request: ApiRequest) -> Reply:
        """``POST transfer/contact``: one result per contact, ``726`` for one that exists already."""
        results = []
        with self.context.store.atomic():
            for item in self._items(request, CONTACT_FIELDS):
                contact = Contact(**{name: str(item[name]).strip().lstrip("+") for name in CONTACT_FIELDS})
                exists = self.context.store.find_contact(contact.prefix, contact.phone) is not None
                if not exists:
                    self.context.store.add_contact(contact)
                results.append(
                    {
                        **{name: getattr(contact, name) for name in CONTACT_FIELDS},
                        "code": 726 if exists else 0,
                        "status": "ERROR_PHONE_ALREADY_MY_CONTACT" if exists else "success",
                        "lot": self._lot(),
                    }
                )
        return self._ok([results])

    def _lot(self) -> str:
        return f"{int(self.context.clock().timestamp())}{secrets.randbelow(1000):03d}"

    def send(self, request: ApiRequest) -> Reply:
        """``POST transfer/money/send/contact``: all items sent, or none (724, 805, 602, 716, 719, 720)."""
        with self.context.store.atomic():
            items = self._items(request, SEND_FIELDS)
            total = 0
            seen: set[str] = set()
            for item in items:
                total += self._check_send_item(item, seen)
            if total > self.account()["available"]:
                raise _Refusal("602", "Your transfer balance is too low for this operation.")
            created = []
            for item in items:
                transfer = Transfer(
                    transaction_id=f"TR{self.context.clock():%y%m%d}{secrets.token_hex(5).upper()}",
                    client_transaction_id=str(item["client_transaction_id"]),
                    lot=self._lot(),
                    amount=int(item["amount"]),
                    prefix=str(item["prefix"]).lstrip("+"),
                    phone=str(item["phone"]),
                    notify_url=str(item.get("notify_url") or ""),
                    created_at=self.context.clock().isoformat(),
                )
                try:
                    self.context.store.add_transfer(transfer)
                except AlreadyExistsError:
                    raise _Refusal("805", "This client_transaction_id already exists.") from None
                created.append({**transfer_fields(transfer), "code": 0, "status": "success"})
        return self._ok(created)

    def _check_send_item(self, item: dict[str, Any], seen: set[str]) -> int:
        amount = integer(item["amount"])
        if amount is None or amount <= 0:
            raise _Refusal("716", "amount must be a positive integer.")
        low, high = TRANSFER_LIMITS
        if amount < low:
            raise _Refusal("719", f"The amount must be at least {low}.")
        if amount > high:
            raise _Refusal("720", f"The amount must be at most {high}.")
        if self.context.store.find_contact(str(item["prefix"]).lstrip("+"), str(item["phone"])) is None:
            raise _Refusal("724", "This phone number is not one of your contacts.")
        client_id = str(item["client_transaction_id"])
        if client_id in seen or self.context.store.find_transfer(client_transaction_id=client_id):
            raise _Refusal("805", "This client_transaction_id already exists.")
        seen.add(client_id)
        return amount

    def check(self, request: ApiRequest) -> Reply:
        """``GET transfer/check/money`` by ``client_transaction_id`` or ``transaction_id``."""
        client_id = request.query.get("client_transaction_id", "")
        transaction_id = request.query.get("transaction_id", "")
        if not client_id and not transaction_id:
            raise _Refusal("704", "Give client_transaction_id or transaction_id.")
        transfer = self.context.store.find_transfer(
            client_transaction_id=client_id, transaction_id=transaction_id
        )
        if transfer is None:
            raise _Refusal("723", "No transfer matches.")
        return self._ok([transfer_fields(transfer)])

    # --- settling --------------------------------------------------------------------------------------

    def find(self, *, transaction_id: str = "", client_transaction_id: str = "") -> Transfer:
        transfer = self.context.store.find_transfer(
            transaction_id=transaction_id, client_transaction_id=client_transaction_id
        )
        if transfer is None:
            raise TransferError(f"No transfer {client_transaction_id or transaction_id}.")
        return transfer

    def settle(
        self,
        transfer: Transfer,
        status: TreatmentStatus,
        *,
        comment: str = "",
        notification: Fault | None = None,
    ) -> list[Delivery]:
        """Move a ``NEW`` transfer to ``VAL`` or ``REJ``, then notify its notify_url.

        Raises :class:`TransferError` when the transfer is unknown or already settled.
        """
        if status is TreatmentStatus.NEW:
            raise TransferError("A transfer settles to VAL or REJ.")
        with self.context.store.atomic():
            current = self.find(client_transaction_id=transfer.client_transaction_id)
            if current.treatment_status != TreatmentStatus.NEW.value:
                raise TransferError(
                    f"Transfer {current.client_transaction_id} is already {current.treatment_status}."
                )
            current.treatment_status = status.value
            current.sending_status = SENDING_STATUS[status]
            current.comment = comment or (
                "Transfert effectué" if status is TreatmentStatus.VAL else "Transfert rejeté"
            )
            if status is TreatmentStatus.VAL:
                current.operator_transaction_id = f"OP{secrets.token_hex(6).upper()}"
                current.validated_at = self.context.now_text()
            current.notifications.append(transfer_notification_of(current).to_snapshot())
            self.context.store.save_transfer(current)
        return self._send(current, notification)

    def resend(self, transfer: Transfer, *, notification: Fault | None = None) -> list[Delivery]:
        """Send the latest notification of ``transfer`` again."""
        current = self.find(client_transaction_id=transfer.client_transaction_id)
        if not current.notifications:
            raise TransferError("No notification was sent for this transfer yet.")
        return self._send(current, notification)

    def _send(self, transfer: Transfer, notification: Fault | None) -> list[Delivery]:
        if not transfer.notify_url:
            return []
        deliveries = self.context.send(
            transfer.notifications, 1, target=TRANSFER_NOTIFICATION, fault=notification
        )
        if deliveries:
            with self.context.store.atomic():
                current = self.find(client_transaction_id=transfer.client_transaction_id)
                current.deliveries = self.context.delivery_log(current.deliveries, deliveries)
                self.context.store.save_transfer(current)
        return deliveries

    def settle_due(self) -> None:
        """Validate the ``NEW`` transfers older than ``Options.transfer_delay`` (none when it is ``None``)."""
        delay = self.context.options.transfer_delay
        if delay is None:
            return
        deadline = self.context.clock() - dt.timedelta(seconds=delay)
        for transfer in self.context.store.list_transfers()[::-1]:
            if transfer.treatment_status == TreatmentStatus.NEW.value and (
                dt.datetime.fromisoformat(transfer.created_at) <= deadline
            ):
                try:
                    self.settle(transfer, TreatmentStatus.VAL)
                except TransferError:
                    continue  # settled meanwhile by another request
