"""Amounts and payment methods as people read them, in French and English."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import translation
from django.utils.formats import get_format

from django_cinetpay.formatting import money, payment_method_name


@pytest.mark.parametrize("language", ["fr", "en"])
def test_money_is_grouped_for_the_language(language: str) -> None:
    with translation.override(language):
        separator = get_format("THOUSAND_SEPARATOR")
        assert money(15000, "XOF") == f"15{separator}000\N{NO-BREAK SPACE}XOF"
    assert separator.strip() == ("" if language == "fr" else ",")


def test_money_without_currency_or_amount() -> None:
    with translation.override("en"):
        assert money(1_250_000) == "1,250,000"
        assert money(100, "USD") == "100\N{NO-BREAK SPACE}USD"
        assert money(None, "XOF") == ""


def test_payment_method_names() -> None:
    assert payment_method_name("OM") == "Orange Money"
    assert payment_method_name("momo") == "MTN Mobile Money"
    assert payment_method_name("NEWCODE") == "NEWCODE"
    assert payment_method_name("") == ""
    with translation.override("fr"):
        assert payment_method_name("CARD") == "Carte bancaire"


def test_template_filters() -> None:
    template = engines["django"].from_string(
        "{% load cinetpay %}{{ amount|money:currency }} · {{ method|payment_method_name }}"
    )
    with translation.override("fr"):
        rendered = template.render({"amount": 2500, "currency": "XAF", "method": "FLOOZ"})
        separator = get_format("THOUSAND_SEPARATOR")
    assert rendered == f"2{separator}500\N{NO-BREAK SPACE}XAF · Moov Money"
