"""CSV exports that a spreadsheet opens safely, streamed so a big table never sits in memory.

A cell a spreadsheet would read as a formula (``=HYPERLINK(…)`` typed as a buyer's name, a description
starting with ``+`` or ``@``) is neutralised with a leading apostrophe, as OWASP advises against CSV
injection. Numbers are written as numbers: amounts stay integers, with their currency in a column of
its own, so the sheet can add them up.

Used by the admin's exports; any host code can build a :class:`Column` list and call
:func:`csv_response` (or :func:`csv_lines` to write elsewhere).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import StreamingHttpResponse
from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = ["Column", "csv_lines", "csv_response", "safe_cell"]

#: First characters with which a spreadsheet starts a formula (or, for tab and CR, hides one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading, and how a row gives its value."""

    heading: StrOrPromise
    value: Callable[[Any], Any]


def safe_cell(value: Any) -> str | int:
    """``value`` as a CSV cell: integers as they are, dates in ISO 8601, booleans as 1/0, ``None`` empty,
    and text that a spreadsheet would run as a formula prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object whose ``write`` hands back what it was given: one CSV line per row."""

    def write(self, text: str) -> str:
        return text


def csv_lines(columns: Iterable[Column], rows: Iterable[Any]) -> Iterator[str]:
    """The heading line, then one line per row, each cell through :func:`safe_cell`."""
    columns = list(columns)
    writer = csv.writer(_Line())
    yield writer.writerow([safe_cell(column.heading) for column in columns])
    for row in rows:
        yield writer.writerow([safe_cell(column.value(row)) for column in columns])


def csv_response(filename: str, columns: Iterable[Column], rows: Iterable[Any]) -> StreamingHttpResponse:
    """A download of ``rows`` as ``filename``, written while it is sent.

    Pass ``rows`` as ``queryset.iterator(chunk_size=…)`` so that the database sends them in batches. The
    file starts with a byte order mark, so spreadsheet programs read accents as UTF-8.
    """
    lines = csv_lines(columns, rows)
    response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_bom(lines: Iterator[str]) -> Iterator[str]:
    yield "\ufeff"
    yield from lines
