"""The escrow split: integers only, ``amount == commission + seller_amount``, seller amounts in steps of 5."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django_cinetpay import exceptions
from django_cinetpay.adapter import DefaultAdapter
from django_cinetpay.services.escrow import commission_rate_for, split_amount

from .conftest import accept, make_payment

rates = st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4)
amounts = st.integers(min_value=1, max_value=10**12).map(lambda n: n * 5)


@settings(max_examples=300, deadline=None)
@given(amount=amounts, rate=rates)
def test_split_never_creates_or_loses_money(amount, rate):
    commission, seller_amount = split_amount(amount, rate)
    assert commission + seller_amount == amount
    assert seller_amount % 5 == 0
    assert (
        0 <= seller_amount <= amount * (1 - rate)
    )  # floor: the seller is never paid more than the rate says
    assert amount * (1 - rate) - seller_amount < 5  # and never a whole step of 5 less
    assert isinstance(commission, int)
    assert isinstance(seller_amount, int)


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        (10_000, Decimal("0.05"), (500, 9_500)),
        (1_005, Decimal("0.05"), (55, 950)),  # 954.75 → 950: the remainder is commission
        (100, Decimal("0"), (0, 100)),
        (100, Decimal("0.99"), (100, 0)),
    ],
)
def test_split_examples(amount, rate, expected):
    assert split_amount(amount, rate) == expected


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("1"), Decimal("1.5")])
def test_a_rate_outside_zero_to_one_is_a_configuration_error(rate):
    with pytest.raises(exceptions.CinetPayConfigurationError):
        split_amount(1_000, rate)


class HalfAdapter(DefaultAdapter):
    def get_commission_rate(self, transaction):  # type: ignore[no-untyped-def]
        return 0.50004  # a float, and more places than an escrow keeps


@pytest.mark.django_db
def test_rate_comes_from_the_payment_then_the_adapter_then_the_setting(buyer, seller, settings):
    settings.CINETPAY_COMMISSION_RATE = "0.10"
    assert commission_rate_for(make_payment(buyer, seller)) == Decimal("0.10")
    settings.CINETPAY_ADAPTER = "tests.escrow.test_money.HalfAdapter"
    assert commission_rate_for(make_payment(buyer, seller)) == Decimal("0.5000")
    own = make_payment(buyer, seller, commission_rate=Decimal("0.02"))
    assert commission_rate_for(own) == Decimal("0.02")


@pytest.mark.django_db
def test_the_escrow_records_the_split_and_the_rate_used(buyer, seller, settings):
    settings.CINETPAY_COMMISSION_RATE = "0.07"
    escrow = accept(make_payment(buyer, seller, amount=1_235)).escrow
    assert (escrow.amount, escrow.currency) == (1_235, "XOF")
    assert escrow.commission_rate == Decimal("0.07")
    assert (escrow.commission, escrow.seller_amount) == (90, 1_145)  # 1148.55 → 1145


@pytest.mark.django_db
def test_an_invalid_rate_setting_is_reported_clearly(buyer, seller, settings):
    settings.CINETPAY_COMMISSION_RATE = "five percent"
    with pytest.raises(exceptions.CinetPayConfigurationError, match="five percent"):
        commission_rate_for(make_payment(buyer, seller))
