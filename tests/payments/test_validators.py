"""CinetPay's rules for amounts and descriptions, as the validators a host's forms share with the services."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from django_cinetpay import services, validators
from django_cinetpay.client.vocabulary import CURRENCY_LIMITS, FORBIDDEN_DESCRIPTION_CHARS
from django_cinetpay.exceptions import PaymentValidationError

LOW, HIGH = CURRENCY_LIMITS["XOF"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are read in English here, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def test_the_services_export_the_same_validators():
    assert services.validate_amount is validators.validate_amount
    assert services.validate_description is validators.validate_description


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (0, "XOF", "limits"),
        (50, "XOF", "limits"),
        (12_502, "XOF", "multiple_of_5"),
        (3_000_005, "XOF", "limits"),
        (1000, "EUR", "currency"),
        (Decimal("100.5"), "XOF", "whole"),
        (100.0, "XOF", "whole"),
        ("1000", "XOF", "whole"),
        (True, "XOF", "whole"),
    ],
)
def test_amounts_cinetpay_refuses_are_refused_with_a_reason(amount, currency, code):
    with pytest.raises(PaymentValidationError) as caught:
        validators.validate_amount(amount, currency)
    assert caught.value.code == code
    assert isinstance(caught.value, ValidationError)  # a form shows it as it is


def test_the_message_says_what_to_type():
    with pytest.raises(PaymentValidationError, match="between 100 and 3000000 XOF"):
        validators.validate_amount(50, "XOF")
    with pytest.raises(PaymentValidationError, match="multiples of 5; 12502 is not"):
        validators.validate_amount(12_502, "XOF")
    with pytest.raises(PaymentValidationError, match="EUR is not accepted; use one of XOF"):
        validators.validate_amount(1000, "EUR")


def test_limits_and_currencies_follow_the_settings(settings):
    settings.CINETPAY_AMOUNT_LIMITS = {"XOF": (500, 2000)}
    settings.CINETPAY_CURRENCIES = ["XOF", "XAF"]
    assert validators.amount_limits("XOF") == (500, 2000)
    assert validators.validate_amount(500, "XOF") == 500
    assert validators.validate_amount(Decimal(1000), "XAF") == 1000
    with pytest.raises(PaymentValidationError):
        validators.validate_amount(2005, "XOF")
    with pytest.raises(PaymentValidationError):
        validators.validate_amount(1000, "GNF")


@given(st.integers(min_value=LOW // 5, max_value=HIGH // 5))
def test_every_multiple_of_5_within_the_limits_is_taken(fifths):
    assert validators.validate_amount(fifths * 5, "XOF") == fifths * 5


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_an_amount_is_taken_exactly_when_cinetpay_would_take_it(amount):
    takes = amount % 5 == 0 and LOW <= amount <= HIGH
    try:
        validators.validate_amount(amount, "XOF")
    except PaymentValidationError:
        assert not takes
    else:
        assert takes


@pytest.mark.parametrize("text", ["Pack #1", "Skins & V-Bucks", "50$", "a/b", "_promo_"])
def test_descriptions_with_a_character_cinetpay_refuses_are_refused_not_cut(text):
    with pytest.raises(PaymentValidationError, match="may not contain the characters") as caught:
        validators.validate_description(text)
    assert caught.value.code == "forbidden_characters"


@pytest.mark.parametrize(("text", "code"), [("", "required"), ("   ", "required"), ("x" * 256, "max_length")])
def test_empty_or_too_long_descriptions_are_refused(text, code):
    with pytest.raises(PaymentValidationError) as caught:
        validators.validate_description(text)
    assert caught.value.code == code


@given(st.text(min_size=1, max_size=300))
def test_a_description_is_kept_as_typed_or_refused(text):
    try:
        kept = validators.validate_description(text)
    except PaymentValidationError:
        stripped = text.strip()
        assert not stripped or len(stripped) > 255 or set(stripped) & set(FORBIDDEN_DESCRIPTION_CHARS)
    else:
        assert kept == text.strip()
        assert not set(kept) & set(FORBIDDEN_DESCRIPTION_CHARS)


def test_create_payment_refuses_what_the_validators_refuse(buyer, seller, db):
    with pytest.raises(PaymentValidationError, match="may not contain"):
        services.create_payment(buyer=buyer, seller=seller, amount=1000, description="Pack #1")
    with pytest.raises(PaymentValidationError, match="at most 255"):
        services.create_payment(buyer=buyer, seller=seller, amount=1000, description="x" * 300)


class PriceForm(forms.Form):
    """How a host uses them: a form error on the field, in the form's own flow."""

    price = forms.IntegerField()
    title = forms.CharField(validators=[validators.validate_description])

    def clean_price(self) -> int:
        return validators.validate_amount(self.cleaned_data["price"], "XOF")


def test_a_form_shows_the_rules_as_field_errors():
    form = PriceForm({"price": "12502", "title": "Pack #1"})
    assert not form.is_valid()
    assert "multiples of 5" in form.errors["price"][0]
    assert "may not contain" in form.errors["title"][0]
    assert PriceForm({"price": "12500", "title": "Pack 1"}).is_valid()
