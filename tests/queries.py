"""Reading captured SQL as a short list, so a query-count test says *which* statements a path makes."""

from __future__ import annotations

import re
from typing import Any

_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+["`]?(\w+)', re.IGNORECASE)


def statements(captured: Any) -> list[str]:
    """Each captured query as its verb and first table (``"UPDATE cinetpay_payoutrequest"``), or its verb
    alone (``"BEGIN"``, ``"COMMIT"``, ``"SAVEPOINT"``). ``captured``: what ``django_assert_num_queries``
    (or ``CaptureQueriesContext``) yields."""
    shapes = []
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        verb = sql.split(None, 1)[0].upper()
        table = _TABLE.search(sql) if verb in {"SELECT", "INSERT", "UPDATE", "DELETE"} else None
        shapes.append(f"{verb} {table.group(1)}" if table else verb)
    return shapes


def transaction_control(shapes: list[str]) -> int:
    """How many of ``shapes`` only open or close a transaction (``BEGIN``, ``COMMIT``, ``ROLLBACK``)."""
    return sum(1 for shape in shapes if shape in {"BEGIN", "COMMIT", "ROLLBACK"})
