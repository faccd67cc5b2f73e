"""Fixtures of the packaging test: the built wheel, a fresh virtualenv, the fake CinetPay, subprocesses.

Everything here runs outside the test process' Django: subprocesses get a clean environment (no
``PYTHONPATH``, no ``DJANGO_SETTINGS_MODULE`` from pytest-django, no ``CINETPAY_*`` from the machine), a
working directory outside the repository, and only talk to 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .fake_cinetpay import FakeCinetPay

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Credentials shared by the fresh project's settings and the fake CinetPay.
API_KEY = "pk-test-12345"
SITE_ID = "445566"
SECRET_KEY = "sk-test-notify-secret"

#: Files the wheel must ship besides Python modules (templates, migrations, static files, py.typed).
REQUIRED_WHEEL_FILES = (
    "django_cinetpay/py.typed",
    "django_cinetpay/templates/cinetpay/base.html",
    "django_cinetpay/templates/cinetpay/payment_form.html",
    "django_cinetpay/templates/cinetpay/payment_success.html",
    "django_cinetpay/templates/cinetpay/payment_failed.html",
    "django_cinetpay/migrations/__init__.py",
    "django_cinetpay/migrations/0001_initial.py",
    "django_cinetpay/static/cinetpay/cinetpay.css",
    "django_cinetpay/static/cinetpay/status.js",
)


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    """Run a command to completion and return its stdout; fail the test with its output if it fails."""
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, args))} exited {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return proc.stdout


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(bin_dir: Path | None = None) -> dict[str, str]:
    """The machine's environment minus anything that could leak the repository or its settings in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONHOME"}
        and not key.startswith("CINETPAY_")
    }
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(bin_dir.parent)
    # 127.0.0.1 traffic must never go through a proxy the machine may have configured.
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), "127.0.0.1", "localhost"]))
    env["NO_PROXY"] = env["no_proxy"] = no_proxy
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass(frozen=True)
class Venv:
    """A virtualenv: its root, ``bin`` folder, interpreter and the environment to run it with."""

    root: Path
    bin: Path
    python: Path
    env: dict[str, str]

    def site_packages(self) -> Path:
        """The venv's purelib folder, as its own interpreter reports it."""
        out = run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=self.root,
            env=self.env,
        )
        return Path(out.strip()).resolve()


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    """The wheel built from the repository, checked to ship its data files and nothing but the app."""
    outdir = tmp_path / "dist"
    run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", outdir, REPO_ROOT],
        cwd=tmp_path,
        env=clean_env(),
        timeout=180,
    )
    wheels = sorted(outdir.glob("django_cinetpay-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {outdir}, found {wheels}"
    with zipfile.ZipFile(wheels[0]) as archive:
        names = set(archive.namelist())
    missing = [name for name in REQUIRED_WHEEL_FILES if name not in names]
    assert not missing, f"the wheel lacks {missing}; it has {sorted(names)}"
    strays = sorted(name for name in names if name.startswith(("tests/", "example_project/")))
    assert not strays, f"the wheel ships files that are not the app: {strays}"
    return wheels[0]


@pytest.fixture
def venv(tmp_path: Path, wheel: Path) -> Venv:
    """A fresh virtualenv with the wheel installed (dependencies from the package index, as usual)."""
    root = tmp_path / "venv"
    run([sys.executable, "-m", "venv", root], cwd=tmp_path, env=clean_env(), timeout=120)
    bin_dir = root / ("Scripts" if os.name == "nt" else "bin")
    env = clean_env(bin_dir)
    python = bin_dir / "python"
    run([python, "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path, env=env, timeout=300)
    return Venv(root=root, bin=bin_dir, python=python, env=env)


@pytest.fixture
def fake_cinetpay() -> Iterator[FakeCinetPay]:
    """The fake CinetPay Checkout API, serving on 127.0.0.1 for the length of the test."""
    fake = FakeCinetPay(api_key=API_KEY, site_id=SITE_ID, secret_key=SECRET_KEY).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def buyer() -> Iterator[requests.Session]:
    """The buyer's browser: a cookie-keeping client that never uses a proxy (all traffic is local)."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


@pytest.fixture
def background() -> Iterator[list[subprocess.Popen[bytes]]]:
    """A list the test appends its long-running subprocesses to; each is terminated (then killed) after."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
