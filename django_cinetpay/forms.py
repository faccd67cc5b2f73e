"""The seed's payment form (who pays, and the card details CinetPay needs for card payments), and the
admin's forms: a payout's destination, the note an action asks for. Phone numbers are parsed with
:mod:`django_cinetpay.phones`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .adapter import PayoutDestination
from .client.vocabulary import CARD_CUSTOMER_FIELDS, CHANNELS, COUNTRIES, regions_for_currency
from .phones import InvalidPhoneNumber, parse_phone, parse_phone_in


class PaymentForm(forms.Form):
    customer_surname = forms.CharField(label=_("Given name"), max_length=100)
    customer_name = forms.CharField(label=_("Family name"), max_length=100)
    customer_email = forms.EmailField(label=_("E-mail"))
    customer_phone_number = forms.CharField(label=_("Phone number"), max_length=30)
    channel = forms.ChoiceField(label=_("Payment method"))
    customer_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    customer_city = forms.CharField(label=_("City"), max_length=100, required=False)
    customer_country = forms.RegexField(
        label=_("Country (2-letter code)"),
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        required=False,
        error_messages={"invalid": _("Enter the two-letter country code, e.g. CI.")},
    )
    customer_state = forms.CharField(label=_("State or region"), max_length=100, required=False)
    customer_zip_code = forms.CharField(label=_("Zip code"), max_length=20, required=False)

    def __init__(self, *args: Any, channels: str, currency: str = "", **kwargs: Any) -> None:
        """``currency``: the payment's; the phone number must be a mobile number of a country paying in it
        (every CinetPay country when it is not given)."""
        super().__init__(*args, **kwargs)
        self.phone_regions = regions_for_currency(currency)
        allowed = channels.split(",")
        if "ALL" in allowed:  # the buyer may narrow "all" down to one method
            allowed = list(CHANNELS)
        choices = [(c, gettext(CHANNELS[c])) for c in allowed]
        cast(forms.ChoiceField, self.fields["channel"]).choices = choices
        if len(choices) == 1:
            self.fields["channel"].initial = choices[0][0]
            self.fields["channel"].widget = forms.HiddenInput()
        self.card_possible = "CREDIT_CARD" in allowed

    def clean_customer_phone_number(self) -> str:
        """The number in E.164 (``+2250707070707``), whatever way the buyer typed it.

        The country is the one of the calling code typed (``+225``, ``00225``), else the one country of
        the payment's currency where the number is a valid mobile number; a number valid in several
        (XOF is used in seven countries) is refused with a request for its calling code.
        """
        try:
            phone = parse_phone_in(self.cleaned_data["customer_phone_number"], self.phone_regions)
        except InvalidPhoneNumber as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
        return phone.e164

    def clean_customer_country(self) -> str:
        return self.cleaned_data["customer_country"].upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("channel") == "CREDIT_CARD":
            for name in CARD_FIELDS:
                if not data.get(name):
                    self.add_error(name, _("Required for card payments."))
        return data

    def payer_fields(self) -> list[forms.BoundField]:
        """The visible fields every payment needs, in display order."""
        return [f for f in self.visible_fields() if f.name not in CARD_FIELDS]

    def card_fields(self) -> list[forms.BoundField]:
        """The fields only card payments need."""
        return [self[name] for name in CARD_FIELDS]

    def customer_data(self) -> dict[str, str]:
        """The ``customer_*`` values for :func:`~django_cinetpay.services.start_checkout`."""
        return {k: v for k, v in self.cleaned_data.items() if k.startswith("customer_")}


#: The fields the payment form asks for card payments only: those CinetPay requires for cards
#: (``CARD_CUSTOMER_FIELDS``) that the form does not already require of every payer.
CARD_FIELDS = tuple(name for name in CARD_CUSTOMER_FIELDS if not PaymentForm.base_fields[name].required)


class PayoutDestinationForm(forms.Form):
    """Staff set where a pending payout goes (admin): a mobile number of a country paid in its currency.

    The number is checked with libphonenumber in the chosen country, so what :func:`payout_destination`
    gives is stored as it is: calling code and national number, whatever way staff typed it.
    """

    country = forms.ChoiceField(label=_("Country"))
    phone = forms.CharField(label=_("Mobile money number"), max_length=30)
    name = forms.CharField(label=_("Family name"), max_length=100)
    surname = forms.CharField(label=_("Given name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        """``currency``: the payout's; only the countries whose people are paid in it are offered."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            (region, f"{gettext(COUNTRIES[region].name)} (+{COUNTRIES[region].prefix})")
            for region in regions_for_currency(currency)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("country") and data.get("phone"):
            try:
                data["phone"] = parse_phone(data["phone"], prefix=COUNTRIES[data["country"]].prefix)
            except InvalidPhoneNumber as exc:
                self.add_error("phone", forms.ValidationError(str(exc), code="invalid"))
        return data


def payout_destination(cleaned_data: dict[str, Any]) -> PayoutDestination:
    """The destination a valid :class:`PayoutDestinationForm` holds, from its ``cleaned_data``."""
    return PayoutDestination(
        prefix=cleaned_data["phone"].prefix,
        phone=cleaned_data["phone"].national,
        name=cleaned_data["name"],
        surname=cleaned_data["surname"],
        email=cleaned_data["email"],
    )


class NoteForm(forms.Form):
    """The note an admin action asks for before it acts: why, in the staff member's words.

    It goes into the audit trail with their name (and, for a dispute, on the escrow as its resolution).
    """

    note = forms.CharField(
        label=_("Note (kept in the audit trail)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
    )
