"""The seed's payment form: who pays, and the card details CinetPay needs for card payments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

CHANNEL_LABELS = {
    "ALL": _("All payment methods"),
    "MOBILE_MONEY": _("Mobile Money (Orange, MTN, Moov, Wave)"),
    "CREDIT_CARD": _("Bank card (Visa, Mastercard)"),
    "WALLET": _("CinetPay wallet"),
}

#: Fields CinetPay requires for card payments (CINETPAY_API.md §1).
CARD_FIELDS = ("customer_address", "customer_city", "customer_country", "customer_state", "customer_zip_code")


class PaymentForm(forms.Form):
    customer_surname = forms.CharField(label=_("Given name"), max_length=100)
    customer_name = forms.CharField(label=_("Family name"), max_length=100)
    customer_email = forms.EmailField(label=_("E-mail"))
    customer_phone_number = forms.RegexField(
        label=_("Phone number"),
        regex=r"^\+?[0-9 ]{8,20}$",
        max_length=20,
        error_messages={"invalid": _("Enter a phone number of 8 to 15 digits, e.g. 0707070707.")},
    )
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

    def __init__(self, *args: Any, channels: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = channels.split(",")
        if "ALL" in allowed:  # the buyer may narrow "all" down to one method
            allowed = list(CHANNEL_LABELS)
        choices = [(c, CHANNEL_LABELS[c]) for c in allowed]
        self.fields["channel"].choices = choices
        if len(choices) == 1:
            self.fields["channel"].initial = choices[0][0]
            self.fields["channel"].widget = forms.HiddenInput()
        self.card_possible = "CREDIT_CARD" in allowed

    def clean_customer_phone_number(self) -> str:
        return self.cleaned_data["customer_phone_number"].replace(" ", "")

    def clean_customer_country(self) -> str:
        return self.cleaned_data["customer_country"].upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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
