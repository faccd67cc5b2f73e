"""The seam between services and background tasks: services enqueue by name, tasks register themselves.

Services must not import :mod:`django_cinetpay.tasks`, which imports services (an import circle). So
:mod:`django_cinetpay.tasks` registers each task here when it is imported (the app's ``ready()`` imports
it), and a service asks for one by name. Enqueuing happens after commit and is robust: a task queue that
is down never breaks the caller, since the ``cinetpay_*`` cron commands pick the work up anyway.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.db import transaction

logger = logging.getLogger("django_cinetpay")


class Enqueueable(Protocol):
    """What the tasks framework's task objects offer (``django.tasks`` and the ``django-tasks`` backport)."""

    def enqueue(self, *args: Any, **kwargs: Any) -> Any: ...


_TASKS: dict[str, Enqueueable] = {}


def register(name: str, task: Enqueueable) -> None:
    """Make ``task`` the one :func:`enqueue_on_commit` runs for ``name``."""
    _TASKS[name] = task


def enqueue_on_commit(name: str, *args: Any) -> None:
    """Enqueue the task registered as ``name`` with ``args`` once the current transaction commits."""

    def enqueue() -> None:  # named: robust on_commit logs a failing callback by its __qualname__
        task = _TASKS.get(name)
        if task is None:
            logger.warning("No task %r is registered; the cron commands will do its work", name)
            return
        task.enqueue(*args)

    transaction.on_commit(enqueue, robust=True)
