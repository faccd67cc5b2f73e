"""Fixtures for the escrow and payout tests.

``transfer_api`` plays CinetPay's Transfer API on a ``responses`` mock with the little state the payout
tests need: the transfers it holds (by ``client_transaction_id``), 805 on a reused id, tokens that expire,
and faults injected for the next request (an error code, a timeout before or after CinetPay acted).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import django
import pytest
import requests
import responses
from django.contrib.auth.models import Permission

from django_cinetpay import services, signals
from django_cinetpay.client import CheckResult
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction
from django_cinetpay.services.verdicts import apply_check_result

TRANSFER_URL = "https://client.cinetpay.test/v1"
TASKS_MODULE = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
PAYER_PHONE = "0707070707"


@pytest.fixture(autouse=True)
def _escrow_settings(settings: Any) -> None:
    """Sellers have a payout destination, and tasks are recorded rather than run."""
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.dummy.DummyBackend"}}


@pytest.fixture
def enqueued() -> list[Any]:
    """The task results the dummy backend recorded (tasks enqueued after commit)."""
    from django_cinetpay.tasks import send_payout

    backend = send_payout.get_backend()
    backend.clear()
    return backend.results


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    """A staff member allowed to resolve escrows and retry payouts."""
    user = django_user_model.objects.create_user("arbitre", "arbitre@example.com", "pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["resolve_escrowtransaction", "retry_payoutrequest"])
    )
    return django_user_model.objects.get(pk=user.pk)  # fresh, so the permission cache is empty


def accept(tx: CinetPayTransaction, *, prefix: str = "225", phone: str = PAYER_PHONE) -> CinetPayTransaction:
    """Apply CinetPay's 'accepted' check answer to ``tx``, as a verified notification would."""
    result = CheckResult(
        code="00", message="SUCCES", status="ACCEPTED", amount=tx.amount, currency=tx.currency
    )
    outcome = apply_check_result(
        tx, result, actor=services.Actor.check("test"), payer_phone=phone, payer_phone_prefix=prefix
    )
    return outcome.transaction


def make_payment(buyer: Any, seller: Any, amount: int = 10_000, **options: Any) -> CinetPayTransaction:
    return services.create_payment(
        buyer=buyer, seller=seller, amount=amount, currency="XOF", description="Compte Free Fire", **options
    )


@pytest.fixture
def escrow(db: Any, buyer: Any, seller: Any) -> EscrowTransaction:
    """A held escrow of 10 000 XOF (commission 5 %)."""
    return accept(make_payment(buyer, seller)).escrow


@dataclass
class SignalLog:
    """Every escrow and payout signal received, as ``(signal name, kwargs)``."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def of(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for event, kwargs in self.events if event == name]


SIGNALS = (
    "escrow_confirmed",
    "escrow_released",
    "escrow_disputed",
    "escrow_refunded",
    "payout_completed",
    "payout_failed",
)


@pytest.fixture
def signal_log() -> Iterator[SignalLog]:
    log = SignalLog()
    receivers = {}
    for name in SIGNALS:

        def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
            kwargs.pop("signal", None)
            log.events.append((_name, kwargs))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver)
    yield log
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


# --- CinetPay's Transfer API ---------------------------------------------------------------------------


class Fault:
    """What the next matching request does instead of succeeding."""

    TIMEOUT_BEFORE = "timeout before CinetPay acted"
    TIMEOUT_AFTER = "timeout after CinetPay acted"

    @staticmethod
    def server_error_after(code: str) -> str:
        """CinetPay takes the transfer, then its application answers HTTP 500 with a JSON ``code``."""
        return f"http500:{code}"


class TransferAPI:
    """CinetPay's Transfer API (CINETPAY_API.md §5) on ``responses``, thread-safe."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.lock = threading.RLock()
        self.transfers: dict[str, dict[str, Any]] = {}
        self.contacts: set[str] = set()
        self.tokens: set[str] = set()
        self.token_numbers = itertools.count(1)
        self.logins = 0
        self.sends: list[dict[str, Any]] = []
        self.checks = 0
        self.faults: dict[str, list[str]] = {"send": [], "contact": [], "check": [], "login": []}
        self.new_status = "NEW"
        #: Called with each transfer CinetPay creates, before answering (to race a notification with it).
        self.on_transfer: Callable[[dict[str, Any]], None] | None = None
        #: Tokens expire right after every accepted send (a token expiring in the middle of a batch).
        self.expire_after_send = False
        for method, path, handler in [
            (responses.POST, "/auth/login", self._login),
            (responses.POST, "/transfer/contact", self._contact),
            (responses.POST, "/transfer/money/send/contact", self._send),
            (responses.GET, "/transfer/check/money", self._check),
        ]:
            mock.add_callback(
                method, f"{TRANSFER_URL}{path}", callback=handler, content_type="application/json"
            )

    # knobs ------------------------------------------------------------------------------------------

    def fail_next(self, endpoint: str, fault: str) -> None:
        """Make the next ``endpoint`` call (send, contact, check, login) fail: a code or a ``Fault``."""
        self.faults[endpoint].append(fault)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def settle(self, client_transaction_id: str, treatment_status: str, comment: str = "") -> None:
        """CinetPay (after the merchant's e-mail approval) finishes a transfer: VAL or REJ."""
        transfer = self.transfers[client_transaction_id]
        transfer["treatment_status"] = treatment_status
        transfer["sending_status"] = "CONFIRM" if treatment_status == "VAL" else "REJECTED"
        transfer["comment"] = comment

    def hold(self, client_transaction_id: str, amount: int, treatment_status: str = "NEW") -> None:
        """CinetPay holds a transfer with this id after all (e.g. a send it answered with a refusal)."""
        number = len(self.transfers) + 1
        self.transfers[client_transaction_id] = {
            "transaction_id": f"TRF{number:06d}",
            "client_transaction_id": client_transaction_id,
            "lot": f"LOT{number:06d}",
            "amount": amount,
            "receiver": "",
            "treatment_status": treatment_status,
            "sending_status": "PENDING",
            "comment": "",
        }

    def sends_of(self, client_transaction_id: str) -> int:
        """How many send requests named this id (accepted or refused)."""
        return sum(1 for item in self.sends if item["client_transaction_id"] == client_transaction_id)

    # handlers ---------------------------------------------------------------------------------------

    def _fault(self, endpoint: str) -> str | None:
        return self.faults[endpoint].pop(0) if self.faults[endpoint] else None

    @staticmethod
    def _error(code: str, message: str) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps({"code": code, "message": message, "description": message})

    @staticmethod
    def _ok(data: Any) -> tuple[int, dict[str, str], str]:
        return 200, {}, json.dumps({"code": 0, "message": "OPERATION_SUCCES", "data": data})

    def _authorised(self, request: requests.PreparedRequest) -> bool:
        query = parse_qs(urlsplit(request.url or "").query)
        return query.get("token", [""])[0] in self.tokens

    def _login(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            self.logins += 1
            fault = self._fault("login")
            if fault:
                return self._error(fault, "INVALID_CREDENTIALS")
            token = f"token-{next(self.token_numbers)}"
            self.tokens.add(token)
            return self._ok({"token": token})

    def _contact(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            if not self._authorised(request):
                return self._error("705", "EXPIRED_TOKEN")
            fault = self._fault("contact")
            if fault == Fault.TIMEOUT_BEFORE:
                raise requests.ReadTimeout("contact timed out")
            if fault:
                return self._error(fault, "CONTACT_ERROR")
            contact = json.loads(parse_qs(str(request.body))["data"][0])[0]
            key = contact["prefix"] + contact["phone"]
            code = 726 if key in self.contacts else 0
            self.contacts.add(key)
            return self._ok([[{"status": "success" if code == 0 else "error", "code": code, **contact}]])

    def _send(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            if not self._authorised(request):
                return self._error("705", "EXPIRED_TOKEN")
            item = json.loads(parse_qs(str(request.body))["data"][0])[0]
            self.sends.append(item)
            fault = self._fault("send")
            if fault == Fault.TIMEOUT_BEFORE:
                raise requests.ReadTimeout("send timed out")
            acted_then_failed = fault == Fault.TIMEOUT_AFTER or (fault or "").startswith("http500:")
            if fault and not acted_then_failed:
                return self._error(fault, "SEND_REFUSED")
            cti = item["client_transaction_id"]
            if cti in self.transfers:
                return self._error("805", "CLIENT_TRANSACTION_ID_EXIST")
            if item["prefix"] + item["phone"] not in self.contacts:
                return self._error("724", "ERROR_PHONE_NOT_MY_CONTACT")
            number = len(self.transfers) + 1
            transfer = {
                "transaction_id": f"TRF{number:06d}",
                "client_transaction_id": cti,
                "lot": f"LOT{number:06d}",
                "amount": item["amount"],
                "receiver": f"+{item['prefix']}{item['phone']}",
                "treatment_status": self.new_status,
                "sending_status": "PENDING",
                "comment": "",
            }
            self.transfers[cti] = transfer
            if self.expire_after_send:
                self.tokens.clear()
            if self.on_transfer is not None:
                self.on_transfer(transfer)
            if fault == Fault.TIMEOUT_AFTER:
                raise requests.ReadTimeout("send timed out after CinetPay took it")
            if fault and fault.startswith("http500:"):
                code = fault.removeprefix("http500:")
                return 500, {}, json.dumps({"code": code, "message": "ERROR", "description": "ERROR"})
            return self._ok([[{"status": "success", "code": 0, **transfer}]])

    def _check(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with self.lock:
            if not self._authorised(request):
                return self._error("705", "EXPIRED_TOKEN")
            self.checks += 1
            fault = self._fault("check")
            if fault == Fault.TIMEOUT_BEFORE:
                raise requests.ReadTimeout("check timed out")
            if fault:
                return self._error(fault, "CHECK_ERROR")
            cti = parse_qs(urlsplit(request.url or "").query).get("client_transaction_id", [""])[0]
            transfer = self.transfers.get(cti)
            if transfer is None:
                return self._error("723", "NOT_FOUND")
            return self._ok([transfer])


@pytest.fixture
def transfer_api() -> Iterator[TransferAPI]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield TransferAPI(mock)
