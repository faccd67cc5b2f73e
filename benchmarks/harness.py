"""Timing without fooling ourselves: A/B interleaved repetitions, min and median, queries counted."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Row:
    """One line of the results table. Times in milliseconds; ``ratio`` is project over floor (medians)."""

    path: str
    project: float
    floor: float
    queries: str = ""
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.project / self.floor if self.floor else float("nan")


def interleaved(
    project: Callable[[int], object],
    floor: Callable[[int], object],
    repetitions: int,
    *,
    setup: Callable[[], object] | None = None,
) -> tuple[list[float], list[float]]:
    """Run ``project(i)`` and ``floor(i)`` in turn, ``repetitions`` times each; their times in ms.

    Alternating (A B A B …, starting with the floor every other time) spreads the machine's drift over
    both sides, so the ratio of medians holds on a noisy, shared machine. ``setup`` runs, untimed,
    before every call (e.g. to seed the rows a job will process).
    """
    project_times, floor_times = [], []
    for i in range(repetitions):
        order = ((project, project_times), (floor, floor_times))
        for call, times in order if i % 2 else reversed(order):
            if setup is not None:
                setup()
            began = time.perf_counter()
            call(i)
            times.append((time.perf_counter() - began) * 1000)
    return project_times, floor_times


def median(times: list[float]) -> float:
    return statistics.median(times)


def count_queries(call: Callable[[], object]) -> tuple[int, int]:
    """(statements, statements that are not SAVEPOINT/RELEASE) that ``call`` sends to the database."""
    with CaptureQueriesContext(connection) as captured:
        call()
    sql = [query["sql"].lstrip().upper() for query in captured.captured_queries]
    plain = [s for s in sql if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]
    return len(sql), len(plain)


def table(rows: list[Row]) -> str:
    """The results as a Markdown table (it goes into the README as is)."""
    lines = [
        "| path | project (median) | floor (median) | ratio | queries | note |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.path} | {row.project:.2f} ms | {row.floor:.2f} ms | {row.ratio:.2f}x | {row.queries} | "
            f"{row.note} |"
        )
    return "\n".join(lines)
