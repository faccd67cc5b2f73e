from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Message


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
