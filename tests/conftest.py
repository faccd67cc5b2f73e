"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.dispatch import Signal


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``cinetpay`` plugin unless it is already there.

    From the source tree the package's ``pytest11`` entry point is not installed; when it is (or when the
    plugin is given with ``-p``), registering the module a second time would be an error.
    """
    from django_cinetpay.testing import pytest_plugin

    manager = config.pluginmanager
    if not manager.has_plugin("cinetpay") and not manager.is_registered(pytest_plugin):
        manager.register(pytest_plugin, "cinetpay")


@pytest.fixture(autouse=True)
def _no_shared_client_across_tests() -> None:
    """Each test starts with no shared CinetPay client, so no login token or connection crosses tests."""
    from django_cinetpay.client import clear_clients

    clear_clients()


@pytest.fixture
def received() -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Every django-cinetpay signal sent during the test, by name: ``received["payment_accepted"]``."""
    from django_cinetpay import signals

    log: dict[str, list[dict[str, Any]]] = defaultdict(list)
    receivers = []
    for name, signal in vars(signals).items():
        if isinstance(signal, Signal):

            def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
                log[_name].append(kwargs)

            signal.connect(receiver, weak=False)
            receivers.append((signal, receiver))
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)


@pytest.fixture
def login_required_everywhere(settings: Any) -> None:
    """Django's ``LoginRequiredMiddleware`` on, right after the authentication middleware."""
    middleware = list(settings.MIDDLEWARE)
    after = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    middleware.insert(after, "django.contrib.auth.middleware.LoginRequiredMiddleware")
    settings.MIDDLEWARE = middleware
