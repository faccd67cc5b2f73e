"""How the admin's lists scale: every changelist a staff member opens, timed at 1,000 and 100,000 rows.

Issue 11's target: at 100,000 rows a list takes at most 1.5 times what it takes at 1,000 (on PostgreSQL,
where the package is meant to run at scale). Counting queries cannot show this: a list can issue the same
queries at any size while each of them reads the whole table. So this times the real thing, a logged-in
superuser's GET through Django's test client, rendering included.

Both sizes live side by side in one PostgreSQL database, one schema each, so their timings are taken in
alternation (a noisy machine slows both alike) rather than one size after the other. Each schema is
migrated, seeded through ``bulk_create``, then vacuumed and analysed, as autovacuum keeps a production
table.

Each list is reported with the rows its page shows and the time its SQL took. A rare filter ("needs
review") shows 2 rows at 1,000 and a full page of 100 at 100,000, and rendering rows is most of a
request: its whole-request ratio then compares a short page with a full one, and the SQL ratio is the
one that tells whether the database work grew with the table.

Run it from the repository root on a scratch database it creates and drops::

    python -m benchmarks.admin_lists [--small 1000] [--large 100000] [--rounds 7] [--repeat 3]

(PostgreSQL from the usual ``PGHOST``/``PGPORT``/``PGUSER``/``PGPASSWORD``, default 127.0.0.1:5432 as
``postgres``; ``--database`` names the scratch database). From other code, with Django already set up on
PostgreSQL, call :func:`measure`; :func:`seed` fills the current schema alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

#: The lists timed, by name: the changelist and the query string a staff member opens it with. ``{…}``
#: fields are filled from :class:`SeedKeys` (a search for a row that exists in the seeded data).
LISTS: dict[str, tuple[str, str]] = {
    "payments": ("cinetpaytransaction", ""),
    "payments accepted": ("cinetpaytransaction", "status__exact=accepted"),
    "payments to review": ("cinetpaytransaction", "needs_review__exact=1"),
    "payments in USD": ("cinetpaytransaction", "currency__exact=USD"),
    "payments by Wave": ("cinetpaytransaction", "payment_method__exact=WAVE"),
    "payments search id": ("cinetpaytransaction", "q={transaction_id}"),
    "payments search buyer": ("cinetpaytransaction", "q={username}"),
    "notifications": ("cinetpaynotification", ""),
    "notifications unprocessed": ("cinetpaynotification", "processed__exact=0"),
    "notifications transfer": ("cinetpaynotification", "kind__exact=transfer"),
    "notifications search": ("cinetpaynotification", "q={transaction_id}"),
    "escrows": ("escrowtransaction", ""),
    "escrows disputed": ("escrowtransaction", "status__exact=disputed"),
    "escrows search id": ("escrowtransaction", "q={transaction_id}"),
    "payouts": ("payoutrequest", ""),
    "payouts failed": ("payoutrequest", "status__exact=failed"),
    "payouts to review": ("payoutrequest", "needs_review__exact=1"),
    "payouts search id": ("payoutrequest", "q={client_transaction_id}"),
}

#: How far back the seeded rows go: both sizes span the same two years, only denser.
SPAN = dt.timedelta(days=730)


@dataclass(frozen=True)
class SeedKeys:
    """Values of one seeded row, for the searches in :data:`LISTS`."""

    transaction_id: str
    client_transaction_id: str
    username: str


@dataclass
class Samples:
    """Every timed GET of one list at one size: whole request, its SQL alone, and the rows the page shows."""

    seconds: list[float] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)
    rows: int = 0


@dataclass(frozen=True)
class ListTiming:
    """One list at the small and the large size."""

    small: Samples
    large: Samples

    @property
    def ratio(self) -> float:
        """Median at the large size over median at the small one: the number the target is about."""
        return statistics.median(self.large.seconds) / statistics.median(self.small.seconds)

    @property
    def min_ratio(self) -> float:
        """Best case over best case, less sensitive to a noisy neighbour than the medians."""
        return min(self.large.seconds) / min(self.small.seconds)

    @property
    def sql_ratio(self) -> float:
        """The same ratio for the time spent in the database, medians.

        What the indexes govern. The rest, rendering, grows with the rows shown, at most one page
        (100): a rare filter (needs review) shows 2 rows at 1,000 and a full page at 100,000, so its
        whole-request ratio compares a short page with a full one.
        """
        return statistics.median(self.large.sql_seconds) / statistics.median(self.small.sql_seconds)


class _SqlTimer:
    """A database execute wrapper adding up the time the queries of a request take (results fetched)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _pick(i: int, weighted: Sequence[tuple[Any, int]]) -> Any:
    """A deterministic spread: row ``i`` gets the values in the proportions given (weights out of 1,000)."""
    slot = (i * 7919) % 1000  # a prime stride mixes the values along the table instead of in blocks
    for value, weight in weighted:
        if slot < weight:
            return value
        slot -= weight
    return weighted[-1][0]


def seed(count: int, *, users: int = 200, batch: int = 5_000) -> SeedKeys:
    """Fill the current database (schema) with ``count`` payments, escrows, payouts and notifications.

    Proportions look like a live marketplace: most payments accepted and in XOF, a few flagged for
    review, rare disputes and failed payouts; ``created_at``/``received_at`` spread over :data:`SPAN`.
    Rows are written with ``bulk_create`` (nothing goes through the services: this is data, not a flow),
    then the dates are spread with one ``UPDATE`` because ``auto_now_add`` overwrites them on insert.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from django_cinetpay.models import (
        CinetPayNotification,
        CinetPayTransaction,
        EscrowTransaction,
        NotificationKind,
        PayoutRequest,
    )
    from django_cinetpay.states import EscrowStatus, PaymentStatus, PayoutKind, PayoutStatus

    user_model = get_user_model()
    people = user_model.objects.bulk_create(
        [user_model(username=f"player{n:04d}", email=f"player{n}@example.com") for n in range(users)]
    )
    payments = CinetPayTransaction.objects.bulk_create(
        (
            CinetPayTransaction(
                transaction_id=f"CP{i:012d}{i % 997:06X}",
                buyer=people[i % users],
                # Never the buyer: the seller is 1 to users - 1 places further on, varying with i.
                seller=people[(i + 1 + (i // users) % (users - 1)) % users],
                amount=1000 + 5 * (i % 400),
                currency=_pick(i, [("XOF", 860), ("XAF", 100), ("CDF", 25), ("GNF", 10), ("USD", 5)]),
                description="Compte Free Fire",
                status=_pick(
                    i,
                    [
                        (PaymentStatus.ACCEPTED, 600),
                        (PaymentStatus.PENDING, 150),
                        (PaymentStatus.REFUSED, 100),
                        (PaymentStatus.CANCELLED, 80),
                        (PaymentStatus.EXPIRED, 50),
                        (PaymentStatus.CREATED, 20),
                    ],
                ),
                payment_method=_pick(
                    i, [("OM", 400), ("MOMO", 300), ("WAVE", 150), ("FLOOZ", 100), ("CARD", 40), ("", 10)]
                ),
                operator_id=f"OP{i:010d}",
                payer_phone="0707070707",
                payer_phone_prefix="225",
                needs_review=i % 500 == 7,
            )
            for i in range(count)
        ),
        batch_size=batch,
    )
    escrows = EscrowTransaction.objects.bulk_create(
        (
            EscrowTransaction(
                payment=payment,
                amount=payment.amount,
                currency=payment.currency,
                commission_rate="0.0500",
                commission=payment.amount - (payment.amount * 95 // 100) // 5 * 5,
                seller_amount=(payment.amount * 95 // 100) // 5 * 5,
                status=_pick(
                    i,
                    [
                        (EscrowStatus.RELEASED, 700),
                        (EscrowStatus.HELD, 100),
                        (EscrowStatus.CONFIRMED, 100),
                        (EscrowStatus.REFUNDED, 80),
                        (EscrowStatus.DISPUTED, 20),
                    ],
                ),
            )
            for i, payment in enumerate(payments)
        ),
        batch_size=batch,
    )
    payouts = PayoutRequest.objects.bulk_create(
        (
            PayoutRequest(
                escrow=escrow,
                kind=_pick(i, [(PayoutKind.SELLER_PAYOUT, 900), (PayoutKind.REFUND, 100)]),
                amount=escrow.seller_amount,
                currency=escrow.currency,
                prefix="225",
                phone="0505050505",
                client_transaction_id=f"TR{i:012d}{i % 997:06X}",
                transaction_id=f"T{i:010d}",
                status=_pick(
                    i,
                    [
                        (PayoutStatus.COMPLETED, 850),
                        (PayoutStatus.PENDING, 50),
                        (PayoutStatus.SUBMITTED, 50),
                        (PayoutStatus.FAILED, 30),
                        (PayoutStatus.SENDING, 10),
                        (PayoutStatus.UNKNOWN, 10),
                    ],
                ),
                needs_review=i % 1000 == 3,
            )
            for i, escrow in enumerate(escrows)
        ),
        batch_size=batch,
    )
    CinetPayNotification.objects.bulk_create(
        (
            CinetPayNotification(
                kind=_pick(i, [(NotificationKind.PAYMENT, 600), (NotificationKind.TRANSFER, 400)]),
                method="POST",
                headers={"Content-Type": "application/x-www-form-urlencoded", "X-Token": "0" * 64},
                body=f"cpm_site_id=123456&cpm_trans_id={payments[i].transaction_id}&cpm_amount=1000",
                form=[["cpm_site_id", "123456"], ["cpm_trans_id", payments[i].transaction_id]],
                remote_addr="41.202.219.70",
                reference=payments[i].transaction_id,
                transaction=payments[i],
                valid=_pick(i, [(True, 595), (False, 5), (None, 400)]),
                processed=i % 50 != 9,
                result="200 accepted",
            )
            for i in range(count)
        ),
        batch_size=batch,
    )
    with connection.cursor() as cursor:
        for model, column in (
            (CinetPayTransaction, "created_at"),
            (EscrowTransaction, "created_at"),
            (PayoutRequest, "created_at"),
            (CinetPayNotification, "received_at"),
        ):
            table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
            # Row i (in insertion order) is i steps after the start of the span; identifiers are quoted.
            cursor.execute(
                f"UPDATE {table} SET {column} = %s + (id - (SELECT min(id) FROM {table})) * %s",
                [timezone.now() - SPAN, SPAN / max(count, 1)],
            )
            cursor.execute(f"VACUUM ANALYZE {table}")
    middle = count // 2
    return SeedKeys(
        transaction_id=payments[middle].transaction_id,
        client_transaction_id=payouts[middle].client_transaction_id,
        username=people[middle % users].get_username(),
    )


@contextmanager
def _schema(name: str) -> Iterator[None]:
    """Make ``name`` the only schema this connection (and any reconnection) sees, and forget cached ids."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.backends.signals import connection_created

    def use(sender: Any, connection: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('search_path', %s, false)", [name])

    connection_created.connect(use, weak=False)
    try:
        if connection.connection is not None:
            use(None, connection)
        ContentType.objects.clear_cache()  # the content types' ids are per schema
        yield
    finally:
        connection_created.disconnect(use)
        ContentType.objects.clear_cache()


def _prepare(schema: str, count: int) -> tuple[Any, SeedKeys]:
    """Create ``schema``, migrate it, seed it; return a test client logged in there as a superuser."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {connection.ops.quote_name(schema)}")
    with _schema(schema):
        call_command("migrate", verbosity=0)
        keys = seed(count)
        admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.com", "pw")
        client = Client()
        client.force_login(admin)
    return client, keys


def _url(model: str, query: str, keys: SeedKeys) -> str:
    from django.urls import reverse

    path = reverse(f"admin:cinetpay_{model}_changelist")
    return f"{path}?{query.format(**vars(keys))}" if query else path


def measure(
    small: int = 1_000, large: int = 100_000, *, rounds: int = 7, repeat: int = 3
) -> dict[str, ListTiming]:
    """Time every list of :data:`LISTS` at ``small`` and ``large`` rows; the database must be PostgreSQL.

    Two schemas are created in the current database (and dropped at the end), one per size. Each round
    visits both sizes, in alternating order; at each visit every list is fetched once untimed (so caches
    are warm for both alike) and then ``repeat`` times timed. Returns every sample per list.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the admin list benchmark measures PostgreSQL, not " + connection.vendor)
    schemas = {"small": f"bench_admin_{small}", "large": f"bench_admin_{large}"}
    samples = {name: {"small": Samples(), "large": Samples()} for name in LISTS}
    try:
        prepared = {
            size: _prepare(schemas[size], rows) for size, rows in (("small", small), ("large", large))
        }
        for round_number in range(rounds):
            order = ("small", "large") if round_number % 2 == 0 else ("large", "small")
            for size in order:
                client, keys = prepared[size]
                with _schema(schemas[size]):
                    for name, (model, query) in LISTS.items():
                        url = _url(model, query, keys)
                        sample = samples[name][size]
                        sample.rows = _get(client, url)
                        for _ in range(repeat):
                            timer = _SqlTimer()
                            with connection.execute_wrapper(timer):
                                started = time.perf_counter()
                                _get(client, url)
                                sample.seconds.append(time.perf_counter() - started)
                            sample.sql_seconds.append(timer.seconds)
    finally:
        with connection.cursor() as cursor:
            for schema in schemas.values():
                cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(schema)} CASCADE")
    return {name: ListTiming(**by_size) for name, by_size in samples.items()}


def _get(client: Any, url: str) -> int:
    """GET a changelist; the number of rows it shows (one selection checkbox each)."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response.content.count(b'name="_selected_action"')


def report(timings: dict[str, ListTiming], small: int, large: int) -> str:
    """A plain-text table per list: rows shown, min and median of the whole GET and median of its SQL
    (milliseconds) at each size, then the ratios (large over small)."""

    def columns(samples: Samples) -> str:
        fastest, median = min(samples.seconds) * 1e3, statistics.median(samples.seconds) * 1e3
        sql = statistics.median(samples.sql_seconds) * 1e3
        return f"{samples.rows:5d} {fastest:7.1f} {median:7.1f} {sql:7.2f}"

    sizes = f"{'rows':>5} {'min':>7} {'median':>7} {'sql med':>7}"
    lines = [
        f"{'':26} | {'at ' + str(small):^29} | {'at ' + str(large):^29} | ratio (median, min, sql)",
        f"{'list':26} | {sizes} | {sizes} |",
    ]
    for name, timing in timings.items():
        lines.append(
            f"{name:26} | {columns(timing.small)} | {columns(timing.large)} | "
            f"{timing.ratio:5.2f} {timing.min_ratio:5.2f} {timing.sql_ratio:5.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Create the scratch database, set Django up on it (the test settings), measure, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="cinetpay_bench_admin")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import psycopg
    from psycopg import sql

    server = {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "postgres"),
        "password": os.environ.get("PGPASSWORD", ""),
    }
    database = sql.Identifier(args.database)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="tests.settings", CINETPAY_TEST_POSTGRES="1", PGDATABASE=args.database
        )
        import django

        django.setup()
        from django.db import connection

        timings = measure(args.small, args.large, rounds=args.rounds, repeat=args.repeat)
        connection.close()
        sys.stdout.write(report(timings, args.small, args.large) + "\n")
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
