"""The one way a status changes (checked against its table, audited) and its signal (sent after commit)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal

from .. import exceptions
from ..states import can_transition
from .audit import Actor, record


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

    A receiver's exception then reaches the caller (as Django's ``on_commit`` does) but cannot undo money
    already moved.
    """
    transaction.on_commit(partial(signal.send, sender=sender, **kwargs))
