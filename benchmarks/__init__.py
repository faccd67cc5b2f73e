"""django-cinetpay's benchmark suite: each hot path timed against a floor doing the same required work.

Run with ``scripts/bench`` (sets up PostgreSQL and a virtualenv) or ``python -m benchmarks`` in an
environment that has the package, psycopg and gunicorn. ``--smoke`` runs every benchmark once on tiny data
(CI runs it on every change: it must run; no timing is asserted). Ratios, not times, carry over between
machines.
"""
