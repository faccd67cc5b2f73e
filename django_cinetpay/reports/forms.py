"""The dashboard's period form: what a person chose, checked with the same rules as the command's options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..client.vocabulary import KNOWN_CURRENCIES
from .period import GRANULARITIES, Period, parse_period
from .queries import parse_currency


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker; the value is YYYY-MM-DD in every language

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ReportForm(forms.Form):
    """Since, until (days included), currency and grouping; empty fields take the defaults (the last
    30 days, every currency, a grouping that suits the length)."""

    since = forms.DateField(label=_("From"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])
    until = forms.DateField(label=_("To"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"])
    currency = forms.ChoiceField(
        label=_("Currency"), required=False, choices=[("", _("All"))] + [(c, c) for c in KNOWN_CURRENCIES]
    )
    granularity = forms.ChoiceField(
        label=_("Group"),
        required=False,
        choices=[
            ("", _("Automatic")),
            *zip(GRANULARITIES, [_("By day"), _("By week"), _("By month")], strict=True),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            # InvalidInputError is a ValidationError: its message shows above the form.
            data["period"] = parse_period(
                data.get("since"), data.get("until"), data.get("granularity") or None
            )
            data["currency"] = parse_currency(data.get("currency"))
        return data


def read_report_form(query: Any) -> tuple[ReportForm, Period, str]:
    """The form bound to ``query`` (a request's GET), and the period and currency to show: the chosen
    ones, or the defaults while the form has errors (shown beside it)."""
    form = ReportForm(query)
    if form.is_valid():
        return form, form.cleaned_data["period"], form.cleaned_data["currency"]
    return form, parse_period(), ""
