"""CinetPay's payment method codes: the ``payment_method`` of Checkout v2 notifications and check answers.

One table, so that the notification's shape rules and the places that name a method for people read the
same vocabulary. It holds the codes CINETPAY_API.md §6 documents (Côte d'Ivoire: ``OM``, ``MOMO``,
``FLOOZ``; Wave) and the card code the simulator and the testing kit send. A notification with another
code is still confirmed by a check call; only its payer number is not taken (see
:func:`django_cinetpay.services.notifications.process_payment_notification`). Add codes here as
CinetPay's answers show them.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

#: Code → name. Operator names are brands and stay as they are; the rest is marked for translation
#: (translate where shown, as with :mod:`.codes`).
PAYMENT_METHODS: dict[str, str] = {
    "OM": "Orange Money",
    "MOMO": "MTN Mobile Money",
    "FLOOZ": "Moov Money",
    "WAVE": "Wave",
    "CARD": gettext_noop("Bank card"),
}
