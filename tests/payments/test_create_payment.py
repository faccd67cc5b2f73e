"""services.create_payment: CinetPay's rules are enforced before any HTTP call."""

from decimal import Decimal

import pytest

from django_cinetpay import exceptions, services
from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.states import PaymentStatus
from tests.testapp.models import Listing

pytestmark = pytest.mark.django_db


def make(buyer, seller, **kwargs):
    options = {"amount": 1000, "currency": "XOF", "description": "Compte Free Fire"} | kwargs
    return services.create_payment(buyer=buyer, seller=seller, **options)


def test_creates_a_payment_with_an_audit_row(buyer, seller):
    listing = Listing.objects.create(title="Compte PUBG", price=5000, seller=seller)
    tx = make(buyer, seller, order=listing, customer_phone_number="0707070707")
    assert tx.status == PaymentStatus.CREATED
    assert tx.order == listing
    assert len(tx.transaction_id) <= 25
    assert tx.transaction_id.isalnum()
    [change] = services.history(tx)
    assert (change.from_status, change.to_status, change.actor_user) == ("", "created", buyer)


def test_transaction_ids_are_unique(buyer, seller):
    ids = {make(buyer, seller).transaction_id for _ in range(20)}
    assert len(ids) == 20


def test_defaults_come_from_settings(buyer, seller, settings):
    settings.CINETPAY_DEFAULT_CURRENCY = "XAF"
    settings.CINETPAY_CHANNELS = "MOBILE_MONEY"
    tx = services.create_payment(buyer=buyer, seller=seller, amount=500, description="Skin")
    assert (tx.currency, tx.channels) == ("XAF", "MOBILE_MONEY")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (1000.0, "whole number"),
        (True, "whole number"),
        ("1000", "whole number"),
        (Decimal("1000.5"), "whole number"),
        (1001, "multiples of 5"),
        (95, "between 100"),
        (3_000_005, "between 100"),
    ],
)
def test_amount_rules(buyer, seller, amount, message):
    with pytest.raises(exceptions.PaymentValidationError, match=message):
        make(buyer, seller, amount=amount)
    assert not CinetPayTransaction.objects.exists()


def test_integral_decimal_is_accepted(buyer, seller):
    assert make(buyer, seller, amount=Decimal("1500")).amount == 1500


def test_amount_limits_can_be_overridden(buyer, seller, settings):
    settings.CINETPAY_AMOUNT_LIMITS = {"XOF": (500, 2000)}
    with pytest.raises(exceptions.PaymentValidationError, match="between 500 and 2000"):
        make(buyer, seller, amount=2500)


def test_currency_must_be_allowed(buyer, seller, settings):
    settings.CINETPAY_CURRENCIES = ("XOF",)
    with pytest.raises(exceptions.PaymentValidationError, match="XAF is not accepted"):
        make(buyer, seller, currency="XAF")
    with pytest.raises(exceptions.PaymentValidationError, match="EUR is not accepted"):
        make(buyer, seller, currency="EUR")


@pytest.mark.parametrize("char", list("#/$_&"))
def test_description_characters_cinetpay_refuses(buyer, seller, char):
    with pytest.raises(exceptions.PaymentValidationError, match="may not contain"):
        make(buyer, seller, description=f"Compte {char} 1")


def test_description_is_required(buyer, seller):
    with pytest.raises(exceptions.PaymentValidationError, match="description"):
        make(buyer, seller, description="   ")


def test_buyer_cannot_pay_themself(buyer):
    with pytest.raises(exceptions.PaymentValidationError, match="cannot pay themself"):
        make(buyer, buyer)


def test_unknown_channel(buyer, seller):
    with pytest.raises(exceptions.PaymentValidationError, match="channel"):
        make(buyer, seller, channels="BITCOIN")


def test_unsaved_users_are_refused(buyer, django_user_model):
    with pytest.raises(exceptions.PaymentValidationError, match="seller"):
        make(buyer, django_user_model(username="ghost"))


def test_unknown_keyword_is_a_type_error(buyer, seller):
    with pytest.raises(TypeError, match="customer_nickname"):
        make(buyer, seller, customer_nickname="x")
