"""Adapters the message tests use."""

from __future__ import annotations

from typing import Any

from django_cinetpay.adapter import BUYER, MessageRecipient
from django_cinetpay.models import CinetPayTransaction

from ..escrow.adapter import SellerPhoneAdapter


class FrenchBuyerAdapter(SellerPhoneAdapter):
    """The buyer reads French (as a profile would say); the seller the site's language."""

    def get_message_recipient(self, user: Any, role: str, payment: CinetPayTransaction) -> MessageRecipient:
        recipient = super().get_message_recipient(user, role, payment)
        if role != BUYER:
            return recipient
        return MessageRecipient(email=recipient.email, phone=recipient.phone, language="fr")
