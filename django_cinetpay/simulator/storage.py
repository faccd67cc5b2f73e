"""The engine's :class:`~.engine.store.Store` on the simulator's models."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import TypeVar

from django.db import IntegrityError, models, transaction

from .engine import EPOCH, AlreadyExistsError, Contact, Fault, FaultRule, Payment, Transfer
from .models import SimulatedContact, SimulatedFault, SimulatedPayment, SimulatedSession, SimulatedTransfer

M = TypeVar("M", bound=models.Model)


def _locked(queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Rows read inside :meth:`DjangoStore.atomic` are locked until it ends."""
    return queryset.select_for_update() if transaction.get_connection().in_atomic_block else queryset


class DjangoStore:
    """State in the database, shared by every request and process of the simulator."""

    def atomic(self) -> AbstractContextManager[None]:
        return transaction.atomic()

    def add_payment(self, payment: Payment) -> None:
        try:
            with transaction.atomic():
                SimulatedPayment.objects.create(
                    token=payment.token,
                    transaction_id=payment.transaction_id,
                    state=payment.state,
                    record=payment.to_dict(),
                )
        except IntegrityError:
            raise AlreadyExistsError(payment.transaction_id) from None

    def find_payment(
        self, *, token: str = "", transaction_id: str = "", reference: str = ""
    ) -> Payment | None:
        lookup: dict[str, str]
        if transaction_id:
            lookup = {"transaction_id": transaction_id}
        elif reference:
            lookup = {"record__reference": reference}  # the OAuth API's own id; a JSON key, looked up rarely
        else:
            lookup = {"token": token}
        row = _locked(SimulatedPayment.objects.filter(**lookup)).first()
        return Payment.from_dict(row.record) if row else None

    def save_payment(self, payment: Payment) -> None:
        SimulatedPayment.objects.filter(transaction_id=payment.transaction_id).update(
            state=payment.state, record=payment.to_dict()
        )

    def list_payments(self) -> list[Payment]:
        return [
            Payment.from_dict(record) for record in SimulatedPayment.objects.values_list("record", flat=True)
        ]

    def add_transfer(self, transfer: Transfer) -> None:
        try:
            with transaction.atomic():
                SimulatedTransfer.objects.create(
                    client_transaction_id=transfer.client_transaction_id,
                    transaction_id=transfer.transaction_id,
                    treatment_status=transfer.treatment_status,
                    record=transfer.to_dict(),
                )
        except IntegrityError:
            raise AlreadyExistsError(transfer.client_transaction_id) from None

    def find_transfer(self, *, transaction_id: str = "", client_transaction_id: str = "") -> Transfer | None:
        lookup = (
            {"client_transaction_id": client_transaction_id}
            if client_transaction_id
            else {"transaction_id": transaction_id}
        )
        row = _locked(SimulatedTransfer.objects.filter(**lookup)).first()
        return Transfer.from_dict(row.record) if row else None

    def save_transfer(self, transfer: Transfer) -> None:
        SimulatedTransfer.objects.filter(client_transaction_id=transfer.client_transaction_id).update(
            treatment_status=transfer.treatment_status, record=transfer.to_dict()
        )

    def list_transfers(self) -> list[Transfer]:
        return [
            Transfer.from_dict(record)
            for record in SimulatedTransfer.objects.values_list("record", flat=True)
        ]

    def find_contact(self, prefix: str, phone: str) -> Contact | None:
        row = SimulatedContact.objects.filter(prefix=prefix, phone=phone).first()
        if row is None:
            return None
        return Contact(
            prefix=row.prefix, phone=row.phone, name=row.name, surname=row.surname, email=row.email
        )

    def add_contact(self, contact: Contact) -> None:
        SimulatedContact.objects.get_or_create(
            prefix=contact.prefix,
            phone=contact.phone,
            defaults={"name": contact.name, "surname": contact.surname, "email": contact.email},
        )

    def add_session(self, token: str, issued_at: dt.datetime) -> None:
        SimulatedSession.objects.create(token=token, issued_at=issued_at.timestamp())

    def session_issued_at(self, token: str) -> dt.datetime | None:
        stamp = SimulatedSession.objects.filter(token=token).values_list("issued_at", flat=True).first()
        return None if stamp is None else dt.datetime.fromtimestamp(stamp, dt.timezone.utc)

    def expire_sessions(self) -> None:
        SimulatedSession.objects.update(issued_at=EPOCH.timestamp())

    def list_faults(self) -> list[FaultRule]:
        return [_rule(row) for row in _locked(SimulatedFault.objects.all())]

    def add_fault(self, rule: FaultRule) -> FaultRule:
        row = SimulatedFault.objects.create(
            fault=rule.fault.value, target=rule.target, times=rule.times, seconds=rule.seconds
        )
        return _rule(row)

    def save_fault(self, rule: FaultRule) -> None:
        if rule.id is None:
            raise ValueError("only a stored fault rule (with an id) can be saved")
        SimulatedFault.objects.filter(pk=rule.id).update(
            fault=rule.fault.value, target=rule.target, times=rule.times, seconds=rule.seconds
        )

    def delete_fault(self, rule_id: int) -> None:
        SimulatedFault.objects.filter(pk=rule_id).delete()


def _rule(row: SimulatedFault) -> FaultRule:
    return FaultRule(Fault(row.fault), target=row.target, times=row.times, seconds=row.seconds, id=row.pk)
