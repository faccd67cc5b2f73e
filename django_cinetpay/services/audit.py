"""Who or what caused a state change, and the audit row that records it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import StateChange
from ..states import ActorKind


@dataclass(frozen=True)
class Actor:
    """The cause of a state change. Build with the class methods, e.g. ``Actor.for_user(request.user)``."""

    kind: str
    user: Any = None
    label: str = ""

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        return cls(ActorKind.USER, user=user, label=str(user))

    @classmethod
    def for_admin(cls, user: Any) -> Actor:
        return cls(ActorKind.ADMIN, user=user, label=str(user))

    @classmethod
    def notification(cls, notification_id: int | None) -> Actor:
        return cls(ActorKind.NOTIFICATION, label=f"notification #{notification_id}")

    @classmethod
    def check(cls, origin: str) -> Actor:
        return cls(ActorKind.CHECK, label=origin)

    @classmethod
    def job(cls, name: str) -> Actor:
        return cls(ActorKind.JOB, label=name)

    @classmethod
    def system(cls, label: str = "") -> Actor:
        return cls(ActorKind.SYSTEM, label=label)


def record(
    obj: models.Model, from_status: str, to_status: str, actor: Actor, reason: str = ""
) -> StateChange:
    """Write one audit row. Call inside the transaction that changes the state."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    return StateChange.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor.kind,
        actor_user=user,
        actor_label=actor.label[:255],
        reason=reason,
    )


def history(obj: models.Model) -> models.QuerySet[StateChange]:
    """The audit rows of ``obj`` (a payment, an escrow or a payout), oldest first: who or what changed its
    state, when, from and to what, and why."""
    return StateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
