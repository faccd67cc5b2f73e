"""A message's content, rendered from overridable templates in the recipient's language.

For each kind (``buyer_payment_accepted`` …):

* ``cinetpay/email/<kind>_subject.txt``: the e-mail's subject (one line);
* ``cinetpay/email/<kind>.txt``: the e-mail's words, which ``cinetpay/email/layout.txt`` and
  ``cinetpay/email/layout.html`` (or ``cinetpay/email/<kind>.html`` when a project adds one) wrap with the
  greeting, the link and the signature;
* ``cinetpay/sms/<kind>.txt``: the SMS, folded to the GSM-7 alphabet (see :mod:`django_cinetpay.sms.gsm`).

A project overrides any of them the Django way (its own ``templates/cinetpay/…`` first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from ..models import MessageChannel
from ..sms import gsm


@dataclass(frozen=True)
class Content:
    subject: str
    body: str
    html_body: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render(kind: str, channel: str, context: dict[str, Any], language: str) -> Content:
    """The content of a ``kind`` message on ``channel``, rendered with ``context`` in ``language``.

    Amounts in the templates go through the ``money`` filter, so they are grouped for ``language``.
    """
    with translation.override(language):
        if channel == MessageChannel.SMS:
            return Content(
                subject="", body=gsm.fold(_one_line(render_to_string(f"cinetpay/sms/{kind}.txt", context)))
            )
        subject = _one_line(render_to_string(f"cinetpay/email/{kind}_subject.txt", context))
        text = render_to_string(f"cinetpay/email/{kind}.txt", context).strip()
        layout = {**context, "subject": subject, "text": text}
        body = render_to_string("cinetpay/email/layout.txt", layout).strip() + "\n"
        html = render_to_string([f"cinetpay/email/{kind}.html", "cinetpay/email/layout.html"], layout)
    return Content(subject=subject, body=body, html_body=html)
