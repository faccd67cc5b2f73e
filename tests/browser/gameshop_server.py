"""The example marketplace served for real, as ``scripts/demo`` serves it, on a free port.

Three subprocesses: Django's ``runserver`` (the site and the CinetPay simulator, real HTTP over loopback),
``manage.py db_worker`` (the task worker that sends payouts) and ``manage.py run_jobs`` (the escrow
release and payout jobs). The database is a fresh SQLite file, and
the security period and transfer validation are seconds long so a test sees the payout.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

EXAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "example_project"

#: Seconds between the buyer's confirmation and the release; short, yet long enough to see the countdown.
SECURITY_PERIOD = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GameShopServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = self._environment()
        #: role ("buyer", "seller", "staff") → (username, password), as ``load_demo_data`` prints them.
        self.accounts: dict[str, tuple[str, str]] = {}

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CINETPAY_", "GAMESHOP_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="gameshop.settings",
            PYTHONPATH=os.pathsep.join(filter(None, [str(EXAMPLE_PROJECT), env.get("PYTHONPATH")])),
            PYTHONUNBUFFERED="1",
            GAMESHOP_DATABASE=str(self.workdir / "db.sqlite3"),
            CINETPAY_SIMULATOR="true",
            CINETPAY_BASE_URL=self.url,
            CINETPAY_ESCROW_SECURITY_PERIOD=str(SECURITY_PERIOD),
            CINETPAY_SIMULATOR_TRANSFER_DELAY="2",
            CINETPAY_PAYOUT_CHECK_INTERVAL="1",
            GAMESHOP_JOBS_INTERVAL="1",
        )
        return env

    def manage(self, *args: str) -> str:
        """Run a management command of the example project against the server's database."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=EXAMPLE_PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _spawn(self, name: str, *args: str) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        try:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=EXAMPLE_PROJECT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()  # the child keeps its own descriptor
        self.processes.append(process)

    def start(self) -> None:
        self.manage("migrate", "--noinput")
        for line in self.manage("load_demo_data").splitlines():
            if match := re.fullmatch(r"\s+(\w+)\s+(\S+) / (\S+)", line):
                role, username, password = match.groups()
                self.accounts[role] = (username, password)
        self._spawn("runserver", "runserver", "--noreload", f"127.0.0.1:{self.port}")
        self._spawn("db_worker", "db_worker", "--no-reload", "--interval", "0.5")
        self._spawn("run_jobs", "run_jobs")
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"The example project did not start:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
            for path in sorted(self.workdir.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
