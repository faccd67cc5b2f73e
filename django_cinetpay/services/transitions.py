"""The one way a status changes (checked against its table, audited) and its signal (sent after commit)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.dispatch import Signal

from .. import exceptions
from ..states import can_transition
from .audit import Actor, record

M = TypeVar("M", bound=models.Model)


def move(obj: Any, table: dict[str, frozenset[str]], target: str, actor: Actor, reason: str = "") -> None:
    """Set ``obj.status`` to ``target`` if ``table`` allows it, writing the audit row; the caller saves.

    Raises :class:`~django_cinetpay.exceptions.InvalidTransitionError` (and changes nothing) otherwise.
    Call with the row locked, inside the transaction that saves it.
    """
    if not can_transition(table, obj.status, target):
        raise exceptions.InvalidTransitionError(obj, obj.status, target)
    record(obj, obj.status, target, actor, reason)
    obj.status = target


def send_on_commit(signal: Signal, sender: type[models.Model], **kwargs: Any) -> None:
    """Send ``signal`` once the current transaction commits, so receivers never see a rolled-back change.

    Robust twice over: every receiver runs even if another one raises (``Signal.send_robust``, which
    logs the exception with its traceback on the ``django.dispatch`` logger), and the callback is
    registered with ``on_commit(robust=True)``, so the other callbacks of the same commit (other
    escrows' signals in a batch, payout sends to enqueue) always run. A receiver's exception never
    reaches the caller, whose change is already committed.
    """

    def send_signal() -> None:  # named: robust on_commit logs a failing callback by its __qualname__
        signal.send_robust(sender=sender, **kwargs)

    transaction.on_commit(send_signal, robust=True)


def fresh_for_caller(caller: M, fresh: M) -> M:
    """Return ``fresh`` (the row as the service left it) after copying its fields onto ``caller``.

    The services' convention: the instance a caller passed in is never left stale (an escrow still
    "held" after the buyer confirmed), and no extra query is made for it.
    """
    if caller is not fresh:
        for field in fresh._meta.concrete_fields:
            setattr(caller, field.attname, getattr(fresh, field.attname))
    return fresh
