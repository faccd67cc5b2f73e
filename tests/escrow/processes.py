"""Real processes for the multi-process tests: ``python -m tests.escrow.processes ROLE NAME SETTINGS_JSON``.

Each child sets Django up on the test database the parent names (``PGDATABASE``), applies the settings
it is given, starts an in-process CinetPay whose state lives in that database (the simulator's tables),
so every process sees the same CinetPay, then prints ``ready`` and waits for ``go`` on its standard input:
the parent releases them together. What a child did is its last line of output, as JSON.

Roles: ``release`` (the release command, once), ``worker`` (django-tasks-db's ``db_worker`` until
SIGTERM), ``notify`` (delivers CinetPay's notifications for the transaction ids read after ``go``, until
an empty line), ``cron`` (the periodic commands in a loop until SIGTERM).
"""

from __future__ import annotations

import io
import json
import re
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import django


def _release() -> dict[str, Any]:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("cinetpay_release_due_escrows", stdout=out)
    match = re.search(r"(\d+) released", out.getvalue())
    return {"released": int(match.group(1)) if match else -1}


def _worker(worker_id: str) -> dict[str, Any]:
    from django.core.management import call_command

    call_command(
        "db_worker",
        "--interval=0.1",
        "--no-startup-delay",
        "--no-reload",
        f"--worker-id={worker_id}",
        verbosity=0,
    )
    return {}


def _notify(fake: Any) -> dict[str, Any]:
    """Deliver, again, the latest notification of each payment named on standard input."""
    from django_cinetpay.models import CinetPayTransaction

    answers: dict[str, int] = {}
    for line in sys.stdin:
        transaction_id = line.strip()
        if not transaction_id:
            break
        for delivery in fake.notify(CinetPayTransaction.objects.get(transaction_id=transaction_id)):
            answers[str(delivery.status)] = answers.get(str(delivery.status), 0) + 1
    return {"answers": answers}


def _cron() -> dict[str, Any]:
    """The periodic commands, as cron would run them, until SIGTERM."""
    from django.core.management import CommandError, call_command

    running = True

    def stop(signum: int, frame: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    runs, failed = 0, 0
    while running:
        for command in ("cinetpay_release_due_escrows", "cinetpay_process_payouts"):
            try:
                call_command(command, stdout=io.StringIO(), stderr=io.StringIO())
            except CommandError:  # reported, as cron would mail it; the next run goes on
                failed += 1
        runs += 1
        time.sleep(0.2)
    return {"runs": runs, "failed": failed}


def main(role: str, name: str, overrides: dict[str, Any]) -> None:
    django.setup()
    from django.db import connection
    from django.test.utils import override_settings

    from django_cinetpay.simulator.storage import DjangoStore
    from django_cinetpay.testing import CinetPayFake

    override_settings(**overrides).enable()
    fake = CinetPayFake(transfer_balance=10**12)  # transfers stay NEW: a send is the work measured
    fake.store = DjangoStore()  # type: ignore[assignment]  # one CinetPay for every process
    fake.start()
    roles: dict[str, Callable[[], dict[str, Any]]] = {
        "release": _release,
        "worker": lambda: _worker(name),
        "notify": lambda: _notify(fake),
        "cron": _cron,
    }
    _say("ready")
    if sys.stdin.readline().strip() != "go":
        return
    result = roles[role]()
    connection.close()
    _say(json.dumps(result))


def _say(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
