"""CinetPay's vocabulary: one table per fact, the lookups derived from it, every reader reading it."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import django_cinetpay
from django_cinetpay.client import PaymentRequest, vocabulary
from django_cinetpay.client.vocabulary import (
    CHANNEL_METHODS,
    CHANNELS,
    COUNTRIES,
    CURRENCY_LIMITS,
    CUSTOMER_FIELDS,
    KNOWN_CHANNELS,
    KNOWN_CURRENCIES,
    PAYMENT_METHODS,
    region_for_prefix,
    regions_for_currency,
    transfer_currency_problem,
)
from django_cinetpay.simulator.engine import methods_for

PO = Path(django_cinetpay.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
ROOT = Path(__file__).resolve().parents[2]


def test_every_country_speaks_known_currencies_and_has_its_own_calling_code():
    for country in COUNTRIES.values():
        assert {country.currency, *country.other_currencies} <= set(KNOWN_CURRENCIES)
    prefixes = [country.prefix for country in COUNTRIES.values()]
    assert len(set(prefixes)) == len(prefixes)


def test_every_known_currency_has_limits_and_a_country():
    assert set(CURRENCY_LIMITS) == set(KNOWN_CURRENCIES)
    for currency in KNOWN_CURRENCIES:
        low, high = CURRENCY_LIMITS[currency]
        assert 0 < low < high
        assert regions_for_currency(currency) != tuple(COUNTRIES)  # taken somewhere, not "unknown"


def test_lookups_are_derived_from_the_countries():
    assert vocabulary.CURRENCY_PHONE_PREFIXES == {"XAF": "237", "CDF": "243", "GNF": "224", "USD": "243"}
    assert {"USD"} == vocabulary.AMBIGUOUS_TRANSFER_CURRENCIES
    assert vocabulary.PREFIX_CURRENCIES["225"] == "XOF"
    assert vocabulary.COUNTRY_PHONE_PREFIXES["CM"] == "237"
    assert region_for_prefix("+243") == "CD"
    assert region_for_prefix(" 225") == "CI"
    assert region_for_prefix("33") is None


@pytest.mark.parametrize(
    ("prefix", "currency", "sent"),
    [
        ("225", "XOF", True),
        ("+237", "xaf", True),
        ("237", "XOF", False),  # XAF country, XOF money: would pay the wrong amount
        ("243", "USD", False),  # a transfer cannot say USD rather than CDF
        ("33", "XOF", False),  # not a CinetPay country
    ],
)
def test_transfer_currency_problem(prefix, currency, sent):
    assert (transfer_currency_problem(prefix, currency) == "") is sent


def test_every_channel_offers_known_methods():
    assert set(CHANNEL_METHODS) == set(KNOWN_CHANNELS) == set(CHANNELS)
    for methods in CHANNEL_METHODS.values():
        assert set(methods) <= set(PAYMENT_METHODS)


def test_the_simulator_offers_the_vocabularys_methods():
    assert methods_for("ALL") == list(PAYMENT_METHODS)
    assert methods_for("MOBILE_MONEY,CREDIT_CARD") == list(PAYMENT_METHODS)
    assert methods_for("CREDIT_CARD") == ["CARD"]


def test_the_payment_request_carries_exactly_the_customer_fields():
    names = tuple(f.name for f in dataclasses.fields(PaymentRequest) if f.name.startswith("customer_"))
    assert names == CUSTOMER_FIELDS


def test_every_name_for_people_is_in_the_french_catalog():
    msgids = set(re.findall(r'^msgid "(.+)"$', PO.read_text(encoding="utf-8"), flags=re.MULTILINE))
    names = [c.name for c in COUNTRIES.values()] + list(CHANNELS.values()) + [PAYMENT_METHODS["CARD"]]
    assert [name for name in names if name not in msgids] == []


def test_the_client_reads_no_settings_and_no_models_at_import():
    # A fresh interpreter: in this one, Django is set up and everything is imported already.
    code = (
        "import sys, django_cinetpay.client, django_cinetpay.client.vocabulary; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('django_cinetpay'))))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    imported = done.stdout.split()
    assert "django_cinetpay.client.vocabulary" in imported
    assert [m for m in imported if m.endswith((".conf", ".models", ".services"))] == []
