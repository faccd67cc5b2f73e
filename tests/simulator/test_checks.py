"""The simulator must never serve real customers: cinetpay.E020 unless DEBUG or an explicit opt-in."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from django_cinetpay.simulator.checks import check_not_in_production


@pytest.mark.django_db  # Django 6.1 model checks query the database
def test_error_when_installed_without_debug(settings):
    settings.DEBUG = False
    settings.CINETPAY_SIMULATOR_ALLOW_PRODUCTION = False

    (error,) = check_not_in_production()

    assert error.id == "cinetpay.E020"
    assert error.is_serious()
    assert "CINETPAY_SIMULATOR_ALLOW_PRODUCTION" in error.hint
    with pytest.raises(SystemCheckError, match=r"cinetpay\.E020"):
        call_command("check")


def test_silent_while_debugging(settings):
    settings.DEBUG = True
    settings.CINETPAY_SIMULATOR_ALLOW_PRODUCTION = False
    assert check_not_in_production() == []


def test_silent_when_explicitly_allowed(settings):
    settings.DEBUG = False
    settings.CINETPAY_SIMULATOR_ALLOW_PRODUCTION = True
    assert check_not_in_production() == []
