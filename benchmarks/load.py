"""The webhook under load: gunicorn workers, concurrent keep-alive connections, requests per second.

The load stays on 127.0.0.1, is bounded in time and in requests, and stops by itself.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

from django_cinetpay.testing import signed_notification

from . import seed
from .cinetpay_server import CinetPayServer
from .harness import Row

FORM = "application/x-www-form-urlencoded"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``gunicorn benchmarks.wsgi`` with ``workers`` processes on a free loopback port."""

    def __init__(self, workers: int) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "benchmarks.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--keep-alive",
                "30",
            ],
            env=os.environ.copy(),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _bodies(path: str, payments: list) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    for tx in payments:
        notification = signed_notification(tx)
        yield (
            path,
            urlencode(notification.fields).encode(),
            {"Content-Type": FORM, **dict(notification.headers)},
        )


def requests_per_second(
    port: int, work: list[tuple[str, bytes, dict[str, str]]], connections: int, seconds: float
) -> float:
    """Post ``work`` over ``connections`` keep-alive connections for at most ``seconds``: answers/second."""
    queue = iter(work)
    lock = threading.Lock()
    done: list[int] = []
    failures: list[int] = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.monotonic() < deadline:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            path, body, headers = item
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                count += 1
            else:
                failures.append(response.status)
        conn.close()
        with lock:
            done.append(count)

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. HTTP {failures[0]}")
    return sum(done) / (time.monotonic() - began)


def webhook_under_load(server: CinetPayServer, smoke: bool) -> list[Row]:
    """Accepted notifications at 8 and 32 connections on 4 gunicorn workers, against the floor view."""
    workers, levels, seconds, budget = (2, [2], 1.0, 300) if smoke else (4, [8, 32], 5.0, 4000)
    seed.empty()
    rows = []
    gunicorn = Gunicorn(workers)
    try:
        for connections in levels:
            ours = list(_bodies("/payments/notify/", seed.payments(budget, tag=f"L{connections}")))
            theirs = list(_bodies("/floor/notify/", seed.payments(budget, tag=f"M{connections}")))
            half = len(ours) // 2  # two interleaved rounds each: ours, floor, floor, ours
            rates = {"ours": [], "floor": []}
            for name, work in (
                ("ours", ours[:half]),
                ("floor", theirs[:half]),
                ("floor", theirs[half:]),
                ("ours", ours[half:]),
            ):
                rates[name].append(requests_per_second(gunicorn.port, work, connections, seconds / 2))
            project_rps, floor_rps = max(rates["ours"]), max(rates["floor"])
            rows.append(
                Row(
                    f"webhook under load, {workers} workers, {connections} connections",
                    1000 / project_rps,
                    1000 / floor_rps,
                    "",
                    f"{project_rps:.0f} vs {floor_rps:.0f} req/s: "
                    f"{project_rps / floor_rps:.2f}x the floor's rate",
                )
            )
    finally:
        gunicorn.stop()
    return rows
