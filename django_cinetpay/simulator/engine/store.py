"""Where the engine keeps its state: an interface, and the in-memory store of the test fake.

The simulator app implements the same interface on its models (:mod:`django_cinetpay.simulator.storage`),
because it serves requests across threads and processes. Stores hand out *copies*: a record changes only
when it is saved, in memory as in a database.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from .faults import FaultRule
from .records import Contact, Payment, Transfer

#: When expired sessions were issued: long enough ago for any token lifetime.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


class AlreadyExistsError(Exception):
    """A record with the same unique key exists (CinetPay ids are unique forever)."""


class Store(Protocol):
    def atomic(self) -> AbstractContextManager[None]:
        """A block whose reads and writes no other request interleaves with."""

    def add_payment(self, payment: Payment) -> None:
        """Raises :class:`AlreadyExistsError` when the transaction_id or token is taken."""

    def find_payment(
        self, *, token: str = "", transaction_id: str = "", reference: str = ""
    ) -> Payment | None:
        """By the first of ``transaction_id`` (the merchant's), ``reference`` (CinetPay's) or ``token``."""

    def save_payment(self, payment: Payment) -> None: ...

    def list_payments(self) -> list[Payment]:
        """Newest first."""

    def add_transfer(self, transfer: Transfer) -> None:
        """Raises :class:`AlreadyExistsError` when the client_transaction_id is taken."""

    def find_transfer(
        self, *, transaction_id: str = "", client_transaction_id: str = ""
    ) -> Transfer | None: ...

    def save_transfer(self, transfer: Transfer) -> None: ...

    def list_transfers(self) -> list[Transfer]:
        """Newest first."""

    def find_contact(self, prefix: str, phone: str) -> Contact | None: ...

    def add_contact(self, contact: Contact) -> None: ...

    def add_session(self, token: str, issued_at: dt.datetime) -> None: ...

    def session_issued_at(self, token: str) -> dt.datetime | None: ...

    def expire_sessions(self) -> None:
        """Make every login token issued so far expired (tests and the dashboard force a renewal)."""

    def list_faults(self) -> list[FaultRule]:
        """Oldest first; each rule has its ``id``."""

    def add_fault(self, rule: FaultRule) -> FaultRule: ...

    def save_fault(self, rule: FaultRule) -> None: ...

    def delete_fault(self, rule_id: int) -> None: ...


class MemoryStore:
    """A :class:`Store` in a dict, for one process (the test fake). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._payments: dict[str, Payment] = {}  # by transaction_id, in creation order
        self._transfers: dict[str, Transfer] = {}  # by client_transaction_id, in creation order
        self._contacts: dict[tuple[str, str], Contact] = {}
        self._sessions: dict[str, dt.datetime] = {}
        self._faults: dict[int, FaultRule] = {}
        self._fault_ids = itertools.count(1)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self._lock:
            yield

    def add_payment(self, payment: Payment) -> None:
        with self._lock:
            if payment.transaction_id in self._payments or self.find_payment(token=payment.token):
                raise AlreadyExistsError(payment.transaction_id)
            self._payments[payment.transaction_id] = copy.deepcopy(payment)

    def find_payment(
        self, *, token: str = "", transaction_id: str = "", reference: str = ""
    ) -> Payment | None:
        with self._lock:
            if transaction_id:
                found = self._payments.get(transaction_id)
            elif reference:
                found = next((p for p in self._payments.values() if p.reference == reference), None)
            else:
                found = next((p for p in self._payments.values() if token and p.token == token), None)
            return copy.deepcopy(found)

    def save_payment(self, payment: Payment) -> None:
        with self._lock:
            self._payments[payment.transaction_id] = copy.deepcopy(payment)

    def list_payments(self) -> list[Payment]:
        with self._lock:
            return [copy.deepcopy(p) for p in reversed(self._payments.values())]

    def add_transfer(self, transfer: Transfer) -> None:
        with self._lock:
            if transfer.client_transaction_id in self._transfers:
                raise AlreadyExistsError(transfer.client_transaction_id)
            self._transfers[transfer.client_transaction_id] = copy.deepcopy(transfer)

    def find_transfer(self, *, transaction_id: str = "", client_transaction_id: str = "") -> Transfer | None:
        with self._lock:
            if client_transaction_id:
                found = self._transfers.get(client_transaction_id)
            else:
                found = next(
                    (
                        t
                        for t in self._transfers.values()
                        if transaction_id and t.transaction_id == transaction_id
                    ),
                    None,
                )
            return copy.deepcopy(found)

    def save_transfer(self, transfer: Transfer) -> None:
        with self._lock:
            self._transfers[transfer.client_transaction_id] = copy.deepcopy(transfer)

    def list_transfers(self) -> list[Transfer]:
        with self._lock:
            return [copy.deepcopy(t) for t in reversed(self._transfers.values())]

    def find_contact(self, prefix: str, phone: str) -> Contact | None:
        with self._lock:
            return copy.deepcopy(self._contacts.get((prefix, phone)))

    def add_contact(self, contact: Contact) -> None:
        with self._lock:
            self._contacts[(contact.prefix, contact.phone)] = copy.deepcopy(contact)

    def add_session(self, token: str, issued_at: dt.datetime) -> None:
        with self._lock:
            self._sessions[token] = issued_at

    def session_issued_at(self, token: str) -> dt.datetime | None:
        with self._lock:
            return self._sessions.get(token)

    def expire_sessions(self) -> None:
        with self._lock:
            self._sessions = dict.fromkeys(self._sessions, EPOCH)

    def list_faults(self) -> list[FaultRule]:
        with self._lock:
            return [copy.deepcopy(rule) for rule in self._faults.values()]

    def add_fault(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            stored = copy.deepcopy(rule)
            stored.id = next(self._fault_ids)
            self._faults[stored.id] = stored
            return copy.deepcopy(stored)

    def save_fault(self, rule: FaultRule) -> None:
        with self._lock:
            if rule.id in self._faults:
                self._faults[rule.id] = copy.deepcopy(rule)

    def delete_fault(self, rule_id: int) -> None:
        with self._lock:
            self._faults.pop(rule_id, None)
