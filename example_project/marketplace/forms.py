from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from django_cinetpay import services
from django_cinetpay.conf import settings as cinetpay_settings

from .models import Listing, Message


class MessageForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = ["body"]
        labels = {"body": _("Message")}
        widgets = {
            "body": forms.Textarea(
                attrs={"rows": 2, "maxlength": 2000, "placeholder": _("Write to the other party…")}
            )
        }

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write a message before sending it."))
        return body[:2000]


class ListingForm(forms.ModelForm):
    """A listing as a seller types it (on the site or in the admin), checked with django-cinetpay's rules.

    The price must be a payment CinetPay takes (a whole multiple of 5 within the currency's limits, in a
    currency the site accepts), and the title, which becomes the payment's description, must not hold
    the characters CinetPay refuses: the seller learns it here, not a buyer at checkout.
    """

    class Meta:
        model = Listing
        fields = ["game", "kind", "title", "description", "price", "currency"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"] = forms.ChoiceField(
            label=_("currency"),
            choices=[(code, code) for code in cinetpay_settings.CINETPAY_CURRENCIES],
            initial=cinetpay_settings.CINETPAY_DEFAULT_CURRENCY,
        )
        self.fields["price"].widget.attrs.update({"min": 0, "step": 5, "inputmode": "numeric"})

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        services.validate_description(title)
        return title

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        price, currency = data.get("price"), data.get("currency")
        if price is not None and currency:
            try:
                services.validate_amount(price, currency)
            except forms.ValidationError as exc:
                self.add_error("price", exc)
        return data
