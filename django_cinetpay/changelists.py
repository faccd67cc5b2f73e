"""Admin lists that stay fast on big tables: what the package's changelists share.

Django's admin defaults suit small tables. On a table of a hundred thousand payments each of these reads
the whole table on every page view, however few rows the page shows:

* the paginator's ``SELECT COUNT(*)`` (PostgreSQL keeps no row count), and a second count for the
  "N total" of a filtered list (``show_full_result_count``);
* ``date_hierarchy``, which asks for the first and last date, then for every distinct year, month or day;
* the filter Django gives a plain column (``AllValuesFieldListFilter``), which lists its values with
  ``SELECT DISTINCT``; and facet counts, which count every choice of every filter;
* ``icontains`` search (``LIKE '%…%'``, which no index serves), and any search that tries each word on
  columns of several tables at once (an ``OR`` across a join, which no index serves either);
* sorting by a column no index keeps in order.

:class:`LargeTableAdmin` avoids each of them; the models' indexes (see their ``Meta``) serve the order, the
filters and the searches the admin classes offer. So a list costs about the same at a thousand rows and
at a hundred thousand, and the number of queries never depends on the number of rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .client.vocabulary import KNOWN_CURRENCIES, PAYMENT_METHODS
from .phones import InvalidPhoneNumber, parse_phone

# The planner's own estimate of a table's rows: the row density PostgreSQL measured at its last VACUUM or
# ANALYZE, times the table's current size (so growth since then counts). NULL when never measured.
_ROW_ESTIMATE = """
    SELECT CASE
        WHEN reltuples < 0 THEN NULL
        WHEN relpages = 0 THEN 0
        ELSE (reltuples / relpages * (pg_relation_size(oid) / current_setting('block_size')::int))::bigint
    END
    FROM pg_class WHERE oid = %s::regclass
"""


def estimated_rows(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` selects, when it selects a whole table; else None."""
    query = queryset.query
    if query.where or query.is_sliced or query.combinator or query.distinct_fields or query.group_by:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_ROW_ESTIMATE, [connection.ops.quote_name(queryset.model._meta.db_table)])
        row = cursor.fetchone()
    return None if row is None or row[0] is None else int(row[0])


class EstimatedCountPaginator(Paginator):
    """A paginator that does not count a big table's rows one by one to number its pages.

    For an unfiltered list on PostgreSQL holding at least :attr:`estimate_from` rows, the count is
    PostgreSQL's estimate (:func:`estimated_rows`, as fresh as autovacuum keeps it, usually within a few
    percent), so the total shown is close rather than exact, and the last page may come out short or
    empty. Smaller tables, filtered lists and other databases are counted exactly: staff who filter want
    the exact number, and the filter's index lets the count read only the matching index entries.
    """

    #: From this many rows on, the whole table's count is estimated.
    estimate_from = 10_000

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = estimated_rows(self.object_list)
            if estimate is not None and estimate >= self.estimate_from:
                return estimate
        return super().count


class KnownValuesFilter(admin.SimpleListFilter):
    """A filter on a column whose values are known in advance, so drawing it costs no query.

    Django's filter for such a column lists the values present with ``SELECT DISTINCT``, a read of the
    whole table on every page view. ``parameter_name`` is Django's own for the column
    (``currency__exact``), so bookmarked filters keep working, and a value missing from :meth:`lookups`
    (a new CinetPay code, say) can still be filtered on by URL.
    """

    parameter_name: str

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset if value is None else queryset.filter(**{self.parameter_name: value})


class CurrencyFilter(KnownValuesFilter):
    title = _("currency")
    parameter_name = "currency__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(code, code) for code in KNOWN_CURRENCIES]


class PaymentMethodFilter(KnownValuesFilter):
    title = _("payment method")
    parameter_name = "payment_method__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(code, gettext(name)) for code, name in PAYMENT_METHODS.items()]


class LargeTableAdmin(admin.ModelAdmin):
    """A read-mostly admin for a table that grows without bound (see the module's docstring).

    Subclasses give ``search_fields`` as explicit lookups on indexed columns of *one* table (their own, or
    the one row a foreign key leads to): ``transaction_id__startswith``, ``operator_id__exact``. Related
    rows are found by an exact unique key through :attr:`search_related`. Use list filters whose choices
    are fixed (choices, booleans, dates, :class:`KnownValuesFilter`), no ``date_hierarchy`` (a date
    filter instead), and keep ``sortable_by`` to indexed columns.
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    #: ``(relation, key)`` pairs: a search word equal to ``key`` of a row ``relation`` leads to (the
    #: buyer's username) finds the rows pointing at it. The related rows are looked up first, in a query
    #: of their own, so the list's filter stays an ``OR`` over indexed columns of one table.
    search_related: tuple[tuple[str, str], ...] = ()
    #: Columns holding a mobile number in national form (``0707070707``, as CinetPay gives it): a search
    #: word that reads as a phone number (``0707070707``, ``+2250707070707``) is matched exactly against
    #: the ones an index serves (:meth:`phone_columns`). A column without an index is left out, never
    #: scanned: its search starts working when the model gains the index.
    search_phones: tuple[str, ...] = ()

    def phone_columns(self) -> list[str]:
        """The :attr:`search_phones` columns an index leads with (a partial index serves only its rows)."""
        meta = self.model._meta
        indexed = {index.fields[0] for index in meta.indexes if index.condition is None}
        return [name for name in self.search_phones if name in indexed or meta.get_field(name).db_index]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        """Keep the rows where each word matches one of ``search_fields`` or ``search_related``.

        Words are split as Django splits them (quotes keep a phrase together). The lookups only follow
        foreign keys forwards, so no row can come out twice.
        """
        lookups = self.get_search_fields(request)
        # Buyer and seller are both users: each word is looked up once per related model and key.
        related_ids: dict[tuple[Any, str, str], list[Any]] = {}
        for bit in smart_split(search_term):
            word = unescape_string_literal(bit) if bit[0] in "\"'" and bit[0] == bit[-1] else bit
            match = Q()
            for lookup in lookups:
                match |= Q(**{lookup: word})
            national = national_number(word) if self.search_phones else ""
            for column in self.phone_columns() if national else ():
                match |= Q(**{column: national})
            for relation, key in self.search_related:
                related: Any = self.model
                for name in relation.split("__"):
                    related = related._meta.get_field(name).related_model
                if (related, key, word) not in related_ids:
                    rows = related._default_manager.filter(**{key: word})
                    related_ids[related, key, word] = list(rows.values_list("pk", flat=True))
                if ids := related_ids[related, key, word]:
                    match |= Q(**{f"{relation}__in": ids})
            if not match:
                return queryset.none(), False
            queryset = queryset.filter(match)
        return queryset, False


def national_number(word: str) -> str:
    """The national form of a phone number staff typed as one word (``+2250707070707``,
    ``002250707070707`` or ``0707070707``), or ``""`` when the word is not a phone number."""
    digits = "".join(c for c in word if c.isdigit())
    if len(digits) < 6 or any(c not in "+0123456789-." for c in word):
        return ""
    if word.startswith(("+", "00")):
        try:
            return parse_phone(word).national
        except InvalidPhoneNumber:
            return ""
    return digits
