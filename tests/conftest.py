"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The tests run from the source tree, where the ``cinetpay`` entry point is not installed; when it
    # is (the package installed in the environment), the plugin is already registered under that name.
    if not config.pluginmanager.has_plugin("cinetpay"):
        from django_cinetpay.testing import pytest_plugin

        config.pluginmanager.register(pytest_plugin, "cinetpay")
