"""The documentation builds with warnings as errors, as Read the Docs and ``scripts/docs`` build it.

Skipped where Sphinx or Graphviz's ``dot`` is missing, except in the ``docs`` tox env, which sets
``CINETPAY_TEST_DOCS=1``: there a missing tool fails the test.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .test_reference_drift import DOCS, _all_settings, _check_ids

pytestmark = pytest.mark.docs


def test_the_documentation_builds_with_warnings_as_errors(tmp_path: Path):
    missing = [
        tool
        for tool, present in (
            ("sphinx and furo (pip install -r docs/requirements.txt)", importlib.util.find_spec("furo")),
            ("Graphviz's dot (apt-get install graphviz)", shutil.which("dot")),
        )
        if not present
    ]
    if missing:
        if os.environ.get("CINETPAY_TEST_DOCS") == "1":
            pytest.fail(f"The docs build needs {', '.join(missing)}.")
        pytest.skip(f"needs {', '.join(missing)}")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-5000:]
    settings_page = (tmp_path / "reference" / "settings.html").read_text()
    assert all(f'id="std-setting-{s.name}"' in settings_page for s in _all_settings())
    checks_page = (tmp_path / "reference" / "checks.html").read_text()
    assert all(check_id in checks_page for check_id in _check_ids())
    images = {p.name for p in (tmp_path / "_images").iterdir()}
    assert len([name for name in images if name.startswith("graphviz-")]) >= 3  # the state machines
    assert {p.name for p in (DOCS / "_static" / "screenshots").glob("*.png")} <= images
