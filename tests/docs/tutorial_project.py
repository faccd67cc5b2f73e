"""The tutorial's project, run as its reader runs it: a copy in a fresh directory, ``manage.py`` commands
in subprocesses, and ``runserver`` serving the shop and the CinetPay simulator over real HTTP."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

DOCS = Path(__file__).resolve().parents[2] / "docs"
PROJECT = DOCS / "tutorial" / "project"
#: What the reader creates, never part of the shipped project.
NOT_SHIPPED = shutil.ignore_patterns("db.sqlite3", "__pycache__", "migrations")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TutorialProject:
    """A copy of ``docs/tutorial/project`` in ``directory``, served at ``base_url`` once started."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        shutil.copytree(PROJECT, directory, ignore=NOT_SHIPPED)
        self.base_url = f"http://127.0.0.1:{free_port()}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CINETPAY_"))}
        env.update(
            CINETPAY_BASE_URL=self.base_url,
            PYTHONDONTWRITEBYTECODE="1",
            DJANGO_SUPERUSER_USERNAME="admin",
            DJANGO_SUPERUSER_EMAIL="admin@example.com",
            DJANGO_SUPERUSER_PASSWORD="admin-tutorial",
        )
        self.env = env
        #: Every ``manage.py`` command run, as the tutorial writes it (without the test's extra flags).
        self.ran: list[str] = []

    def manage(self, *args: str, shown: str = "", stdin: str | None = None) -> str:
        """Run ``python manage.py <args>``; returns its standard output. ``shown``: the command as the
        tutorial shows it, when the test adds flags a person at a terminal would not type."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.directory,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        self.ran.append(shown or " ".join(args))
        return result.stdout

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """``manage.py runserver`` (without the autoreloader) until the block ends."""
        address = self.base_url.removeprefix("http://")
        log = (self.directory / "runserver.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", address],
            cwd=self.directory,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.ran.append("runserver")
        try:
            self._wait_until_up(server)
            yield
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()

    def _wait_until_up(self, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert server.poll() is None, self.server_log()
            with contextlib.suppress(requests.ConnectionError):
                requests.get(self.base_url, timeout=5)
                return
            time.sleep(0.2)
        raise AssertionError(f"runserver did not answer:\n{self.server_log()}")

    def server_log(self) -> str:
        return (self.directory / "runserver.log").read_text()


class Browser:
    """A person's browser on the tutorial's site: a cookie jar, forms posted with their CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def url(self, path_or_url: str) -> str:
        return path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url

    def get(self, path: str) -> requests.Response:
        response = self.session.get(self.url(path), timeout=30)
        assert response.status_code == 200, (path, response.status_code, response.text[-2000:])
        return response

    def submit(self, page: requests.Response, data: dict[str, str], action: str = "") -> requests.Response:
        """Post a form of ``page`` (the one whose action is ``action``, else the page's own URL) with the
        page's CSRF token, following redirects."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[-2000:]
        target = self.url(action) if action else page.url
        response = self.session.post(
            target,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": page.url},
            timeout=30,
        )
        assert response.status_code == 200, (target, response.status_code, response.text[-2000:])
        return response

    def log_in(self, login_path: str, username: str, password: str) -> None:
        page = self.get(login_path)
        answer = self.submit(page, {"username": username, "password": password})
        assert "sessionid" in self.session.cookies, answer.text[-2000:]


def form_actions(page: requests.Response) -> list[str]:
    """The actions of the page's POST forms, in order."""
    return re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page.text)


def hidden_fields(page: requests.Response) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
