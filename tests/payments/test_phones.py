"""Phone numbers money is sent to: parsed with libphonenumber, refused unless a valid mobile number of a
CinetPay country, stored in one normalised form; and the payment form, which is where most of them enter."""

import pytest
from django.urls import reverse

from django_cinetpay.client.vocabulary import regions_for_currency
from django_cinetpay.forms import PaymentForm
from django_cinetpay.models import CinetPayTransaction
from django_cinetpay.phones import InvalidPhoneNumber, Phone, is_normalised, parse_phone, parse_phone_in
from django_cinetpay.states import PaymentStatus

CI_PHONE = Phone(e164="+2250707070707", prefix="225", national="0707070707", region="CI")


@pytest.mark.parametrize(
    "typed",
    ["+225 07 07 07 07 07", "00225 07.07.07.07.07", "07-07-07-07-07", "0707070707", "2250707070707"],
)
def test_what_people_type_is_one_normalised_number(typed):
    assert parse_phone(typed, prefix="225") == CI_PHONE
    assert parse_phone(typed, region="CI") == CI_PHONE


def test_a_number_carrying_its_calling_code_needs_no_prefix():
    assert parse_phone("+225 07 07 07 07 07") == CI_PHONE


def test_the_national_number_is_the_significant_one_where_0_is_a_trunk_prefix():
    """RD Congo's 0 is dialled, not part of the number; Côte d'Ivoire's 0 is part of it."""
    assert parse_phone("0991 234 567", region="CD") == Phone("+243991234567", "243", "991234567", "CD")


@pytest.mark.parametrize(
    "typed",
    [
        "1 2 3 4 5",  # once stored as 12345
        "1234567890123456789",  # 19 digits
        "+225 2250707070707",  # the calling code typed twice
        "0707-FLOOZ",  # letters (libphonenumber would read them off a keypad)
        "707070707",  # the leading 0 of a Côte d'Ivoire number missing
        "21 23 4 56789",  # a Côte d'Ivoire landline: mobile money cannot go there
        "+33 6 12 34 56 78",  # a mobile number of a country CinetPay does not serve
        "+221 70 123 45 67",  # a Senegal number where a Côte d'Ivoire one is expected
        "",
    ],
)
def test_anything_else_is_refused_with_what_to_type(typed):
    with pytest.raises(InvalidPhoneNumber) as refused:
        parse_phone(typed, prefix="225")
    assert str(refused.value) == "Enter a mobile number from Côte d'Ivoire, e.g. 01 23 45 6789."


def test_a_calling_code_cinetpay_does_not_serve_is_refused():
    with pytest.raises(InvalidPhoneNumber, match="with its country code"):
        parse_phone("0241234567", prefix="233")


def test_without_a_country_the_number_must_carry_its_calling_code():
    with pytest.raises(InvalidPhoneNumber, match=r"with its country code .*e\.g\. \+225 01 23 45 6789"):
        parse_phone("0707070707")


def test_the_countries_of_a_currency():
    assert regions_for_currency("XAF") == ("CM",)
    assert regions_for_currency("usd") == ("CD",)
    assert regions_for_currency("XOF") == ("CI", "SN", "BF", "ML", "NE", "TG", "BJ")
    assert len(regions_for_currency("")) == 10


def test_a_number_valid_in_several_countries_of_the_currency_needs_its_calling_code():
    xof = regions_for_currency("XOF")
    with pytest.raises(InvalidPhoneNumber, match=r"with its country code"):
        parse_phone_in("70 12 34 56", xof)  # Burkina Faso's, or Togo's …
    assert parse_phone_in("+226 70 12 34 56", xof).region == "BF"
    assert parse_phone_in("07 07 07 07 07", xof) == CI_PHONE  # valid in one of them only


def test_a_number_of_a_country_outside_the_currency_is_refused():
    with pytest.raises(InvalidPhoneNumber, match="Cameroon"):
        parse_phone_in("+225 07 07 07 07 07", regions_for_currency("XAF"))


def test_the_stored_form_is_calling_code_then_national_number():
    assert is_normalised("225", "0707070707")
    assert not is_normalised("225", "2250707070707")  # would be sent to +225 2250707070707
    assert not is_normalised("225", "12345")


# --- the payment form ----------------------------------------------------------------------------------


def form(phone: str, currency: str = "") -> PaymentForm:
    data = {
        "customer_surname": "Awa",
        "customer_name": "Koné",
        "customer_email": "awa@example.com",
        "customer_phone_number": phone,
        "channel": "MOBILE_MONEY",
    }
    return PaymentForm(data, channels="MOBILE_MONEY", currency=currency)


@pytest.mark.parametrize("currency", ["", "XOF"])
def test_the_payment_form_stores_the_number_in_e164(currency):
    typed = form("+225 07 07 07 07 07", currency)
    assert typed.is_valid(), typed.errors
    assert typed.customer_data()["customer_phone_number"] == "+2250707070707"


def test_the_payment_form_reads_the_number_in_the_country_of_the_currency():
    typed = form("6 71 23 45 67", "XAF")
    assert typed.is_valid(), typed.errors
    assert typed.cleaned_data["customer_phone_number"] == "+237671234567"
    wrong_country = form("07 07 07 07 07", "XAF")
    assert wrong_country.errors["customer_phone_number"] == [
        "Enter a mobile number from Cameroon, e.g. 6 71 23 45 67."
    ]


@pytest.mark.django_db
def test_the_pay_view_refuses_a_number_that_is_no_phone_number(client, payment, buyer, api):
    client.force_login(buyer)
    response = client.post(
        reverse("cinetpay:pay", kwargs={"transaction_id": payment.transaction_id}),
        {**form("1 2 3 4 5").data},
    )
    assert response.status_code == 200
    assert "customer_phone_number" in response.context["form"].errors
    tx = CinetPayTransaction.objects.get(pk=payment.pk)
    assert (tx.status, tx.customer_phone_number) == (PaymentStatus.CREATED, "")
    assert api.calls_to("/payment") == 0
