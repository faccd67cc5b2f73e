"""A scratch PostgreSQL database for the benchmarks, made (and migrated) on demand."""

from __future__ import annotations

import os

import django
import psycopg
from django.core.management import call_command


def prepare() -> None:
    """Create ``CINETPAY_BENCH_DB`` if missing, set Django up, migrate it."""
    name = os.environ.get("CINETPAY_BENCH_DB", "cinetpay_bench")
    dsn = {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "postgres"),
        "password": os.environ.get("PGPASSWORD", ""),
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
