"""The forms of the simulator's pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..client.vocabulary import COUNTRY_PHONE_PREFIXES
from .engine import Fault, FaultRule, Payment, method_name, payment_methods
from .engine.customer import default_prefix
from .labels import FAULTS

NOTIFICATION_CHOICES = [
    ("", _("Deliver normally")),
    (Fault.DUPLICATE.value, _("Deliver twice")),
    (Fault.OUT_OF_ORDER.value, _("Deliver out of order")),
    (Fault.LOST.value, _("Lose it")),
]


def method_label(code: str) -> str:
    """A payment method's name for people (``OM`` or ``OM_CI`` → Orange Money), translated where it is a
    word (Bank card)."""
    return gettext(method_name(code))


class CheckoutForm(forms.Form):
    """What the customer enters on the checkout page. The outcome comes from the button pressed."""

    method = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)
    phone_prefix = forms.ChoiceField(label=_("Country code"), required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    notification = forms.ChoiceField(label=_("Notification"), choices=NOTIFICATION_CHOICES, required=False)

    def __init__(self, *args: Any, payment: Payment, **kwargs: Any) -> None:
        locked = payment.customer.get("customer_phone_number", "") if payment.lock_phone_number else ""
        kwargs.setdefault(
            "initial",
            {
                "phone_prefix": payment.phone_prefix or default_prefix(payment),
                "phone": payment.phone_number or payment.customer.get("customer_phone_number", ""),
                "method": payment.payment_method or next(iter(payment_methods(payment)), ""),
            },
        )
        super().__init__(*args, **kwargs)
        method = cast(forms.ChoiceField, self.fields["method"])
        method.choices = [(code, method_label(code)) for code in payment_methods(payment)]
        method.required = False  # cancelling needs no method
        prefixes = sorted(set(COUNTRY_PHONE_PREFIXES.values()))
        cast(forms.ChoiceField, self.fields["phone_prefix"]).choices = [(p, f"+{p}") for p in prefixes]
        if locked:
            self.fields["phone"].widget.attrs["readonly"] = True
            self.fields["phone"].help_text = _("The merchant locked the payment to this number.")

    def notification_fault(self) -> Fault | None:
        value = self.cleaned_data.get("notification")
        return Fault(value) if value else None


class FaultForm(forms.Form):
    """A fault rule added from the simulator page."""

    fault = forms.ChoiceField(label=_("Fault"), choices=list(FAULTS.items()))
    target = forms.CharField(
        label=_("Target"),
        max_length=64,
        initial="*",
        help_text=_(
            "An endpoint (payment, payment/check, auth/login, transfer/..., v1/oauth/login, v1/payment, "
            "v1/payment/{id}, v1/transfer, v1/transfer/{id}, v1/balances), notification, "
            "transfer-notification, or * for all."
        ),
    )
    times = forms.IntegerField(
        label=_("Times"), min_value=1, required=False, help_text=_("Empty: until removed.")
    )
    seconds = forms.FloatField(
        label=_("Seconds"), min_value=0, required=False, help_text=_("For latency and timeout.")
    )

    def rule(self) -> FaultRule:
        data = self.cleaned_data
        return FaultRule(
            Fault(data["fault"]),
            target=data["target"].strip() or "*",
            times=data["times"],
            seconds=data["seconds"],
        )
