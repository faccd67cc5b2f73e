"""The places a host project customises, in one class named by ``CINETPAY_ADAPTER`` (as in django-allauth).

Subclass :class:`DefaultAdapter`, override what you need, and point ``CINETPAY_ADAPTER`` at it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import CinetPayTransaction


class DefaultAdapter:
    """Default behaviour; every method may be overridden."""

    def get_customer_initial(self, request: HttpRequest, transaction: CinetPayTransaction) -> dict[str, Any]:
        """Initial values of the payment form's customer fields, from the buyer's account.

        ``customer_name`` is the family name and ``customer_surname`` the given name.
        """
        user = transaction.buyer
        return {
            "customer_name": getattr(user, "last_name", "") or "",
            "customer_surname": getattr(user, "first_name", "") or "",
            "customer_email": getattr(user, "email", "") or "",
        }

    def get_payment_metadata(self, transaction: CinetPayTransaction) -> str:
        """The ``metadata`` string sent to CinetPay (comes back in notifications and checks)."""
        return transaction.metadata or transaction.transaction_id


def get_adapter() -> DefaultAdapter:
    """The adapter named by ``CINETPAY_ADAPTER``, read now."""
    from .conf import settings

    return import_string(settings.CINETPAY_ADAPTER)()
