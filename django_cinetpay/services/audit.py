"""Who or what caused a state change, and the audit row that records it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models import Value
from django.db.models.functions import Cast
from django.utils import timezone

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
    """Write one audit row. Call inside the transaction that changes the state.

    Inside :func:`written_together` the row is only queued (returned unsaved) and written with the others
    when the block ends.
    """
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    row = StateChange(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor.kind,
        actor_user=user,
        actor_label=actor.label[:255],
        reason=reason,
    )
    queued = _queued.get()
    if queued is None:
        row.save(force_insert=True)
    else:
        queued.append(row)
    return row


#: The rows :func:`record` queues inside :func:`written_together` (``None`` outside). A context variable,
#: so that each thread (and each asyncio task) has its own queue.
_queued: ContextVar[list[StateChange] | None] = ContextVar("cinetpay_queued_audit_rows", default=None)


@contextmanager
def written_together() -> Iterator[None]:
    """Queue the audit rows :func:`record` makes inside the block and write them in one ``INSERT`` at its end.

    One state change often records several rows (a payment accepted, its escrow opened; for a duplicate
    payment also its refund and payout): one ``INSERT`` for all of them saves a database round trip each.
    Open it *inside* the transaction that changes the states, so the rows are written before it commits,
    around code that does not read back the rows it records (they reach the database at the end). A block
    opened inside another joins it; rows queued in a block that raises are dropped, like its changes.
    """
    outer = _queued.get()
    rows: list[StateChange] = [] if outer is None else outer
    first = len(rows)
    token = _queued.set(rows)
    try:
        yield
    except BaseException:
        del rows[first:]
        raise
    finally:
        _queued.reset(token)
    if outer is None and rows:
        StateChange.objects.bulk_create(rows)


def record_each(
    rows: models.QuerySet[Any], from_status: str, to_status: str, actor: Actor, reason: str = ""
) -> None:
    """Write :func:`record`'s row for every row of ``rows``, in one ``INSERT … SELECT``.

    For a batch changed set-based: the database copies each primary key, so a batch job pays one
    statement here, not a model instance and a bound row per change (which cost more than the change
    itself). Each value goes through its ``StateChange`` field, as in an ORM insert. Call inside the
    transaction that changes the state.
    """
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    values = {
        "content_type": ContentType.objects.get_for_model(rows.model).pk,
        "from_status": from_status,
        "to_status": to_status,
        "actor_kind": actor.kind,
        "actor_user": getattr(user, "pk", None),
        "actor_label": actor.label[:255],
        "reason": reason,
        "created_at": timezone.now(),
    }
    fields = {field.name: field for field in StateChange._meta.concrete_fields}
    columns: dict[str, Any] = {"object_id": Cast("pk", models.CharField())}
    columns.update((name, Value(value, output_field=fields[name])) for name, value in values.items())
    # Aliases of their own: an alias may not be the name of a field of the model selected from.
    select = rows.order_by().values(**{f"audit_{name}": expression for name, expression in columns.items()})
    connection = connections[router.db_for_write(StateChange)]  # one statement: rows must live there too
    sql, params = select.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    names = ", ".join(quote(fields[name].db_column or fields[name].get_attname()) for name in columns)
    with connection.cursor() as cursor:
        # Only the model's own table and column names are formatted in; every value is a parameter.
        cursor.execute(f"INSERT INTO {quote(StateChange._meta.db_table)} ({names}) {sql}", params)


def history(obj: models.Model) -> models.QuerySet[StateChange]:
    """The audit rows of ``obj`` (a payment, an escrow or a payout), oldest first: who or what changed its
    state, when, from and to what, and why."""
    return StateChange.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
