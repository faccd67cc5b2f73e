"""The testing kit's stand-alone helpers, its pytest plugin, and its import guard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import responses

from django_cinetpay import services
from django_cinetpay.client.signing import SIGNED_FIELDS, verify_x_token
from django_cinetpay.models import CinetPayNotification
from django_cinetpay.testing import CinetPayFake, post_notification, pytest_plugin, signed_notification

ROOT = Path(__file__).resolve().parents[2]


def test_signed_notification_for_a_payment(db, buyer, seller, settings):
    tx = services.create_payment(
        buyer=buyer, seller=seller, amount=2500, currency="XOF", description="Compte"
    )

    notification = signed_notification(tx, payment_method="MOMO")

    assert notification.url == "/payments/notify/"
    assert [name for name, _ in notification.fields] == list(SIGNED_FIELDS)
    data = notification.data
    assert data["cpm_site_id"] == settings.CINETPAY_SITE_ID
    assert data["cpm_trans_id"] == tx.transaction_id
    assert (data["cpm_amount"], data["cpm_currency"], data["payment_method"]) == ("2500", "XOF", "MOMO")
    assert verify_x_token(settings.CINETPAY_SECRET_KEY, notification.x_token, data)


def test_forged_notification_is_refused_by_the_webhook(db):
    response = post_notification(signed_notification("CP123", secret="not-the-merchant-secret"))

    assert response.status_code == 403
    assert CinetPayNotification.objects.get().valid is False


def test_signed_notification_refuses_unknown_fields():
    with pytest.raises(ValueError, match="cpm_whatever"):
        signed_notification("CP123", cpm_whatever="1")


def test_the_fixture_is_a_started_fake(cinetpay):
    assert isinstance(cinetpay, CinetPayFake)
    assert isinstance(cinetpay.mock, responses.RequestsMock)


@pytest.mark.parametrize("name", ["cinetpay", "django_cinetpay.testing.pytest_plugin"])
def test_conftest_registers_the_plugin_only_once(name):
    from tests import conftest

    manager = pytest.PytestPluginManager()
    manager.register(pytest_plugin, name)  # as the entry point, or ``-p`` with the module, would

    conftest.pytest_configure(SimpleNamespace(pluginmanager=manager))

    assert [p for p in manager.get_plugins() if p is pytest_plugin] == [pytest_plugin]


def test_plugin_given_on_the_command_line_too(tmp_path):
    """A run that loads the plugin twice (``-p`` and the conftest) works, and so does its fixture.

    ``-p no:cinetpay`` keeps the installed entry point out (where the package is installed, as in tox):
    pytest itself refuses one module under two names, and the entry point + conftest case is every run.
    """
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cinetpay",
            "-p",
            "django_cinetpay.testing.pytest_plugin",
            "-q",
            "tests/testing/test_helpers.py::test_the_fixture_is_a_started_fake",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


PLUGIN_WITHOUT_RESPONSES = """
import sys
sys.modules["responses"] = None  # as if it were not installed
import django_cinetpay.testing.pytest_plugin  # loaded by every pytest run: must not fail, nor touch Django
try:
    from django_cinetpay.testing import CinetPayFake
except ImportError as exc:
    print(exc)
"""


def test_without_responses_the_plugin_loads_and_the_fake_says_what_is_missing():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # Django not configured
    result = subprocess.run(
        [sys.executable, "-c", PLUGIN_WITHOUT_RESPONSES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "pip install 'django-cinetpay[testing]'" in result.stdout
