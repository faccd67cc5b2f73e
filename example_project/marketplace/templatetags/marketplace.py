"""Template helpers: money as people write it, and the site's chat messages in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from django_cinetpay.formatting import money
from django_cinetpay.states import PayoutKind

from ..models import Message, Purchase
from ..panel import purchase_stage, stage_label

register = template.Library()


#: ``{{ amount|money:currency }}``: django-cinetpay's, so the site and the payment pages write amounts alike.
register.filter("money", money)


@register.filter
def event_text(message: Message) -> str:
    """The text of a message the site posted on a payment event, translated when read, not when posted."""
    payment = message.purchase.payment
    escrow = getattr(payment, "escrow", None)
    amount = money(payment.amount, payment.currency)
    to_seller = message.body != PayoutKind.REFUND
    texts = {
        Message.Event.PAID: _(
            "Payment of %(amount)s received and held in escrow. Seller: deliver now, by sending the "
            "account details in this chat. Buyer: confirm receipt once you have checked them."
        ),
        Message.Event.DELIVERED: _(
            "The seller says it is delivered. Buyer: check what you received, then confirm receipt, or "
            "report a problem."
        ),
        Message.Event.DUPLICATE: _(
            "This listing had already been paid (payment %(original)s) when CinetPay accepted this "
            "payment. The seller does not deliver anything for this payment: its %(amount)s go back to "
            "the number that paid."
        ),
        Message.Event.DISPUTED: _(
            "The buyer reported a problem: “%(reason)s”. The money stays held until our team decides."
        ),
        Message.Event.RELEASED: _("The money is released: %(seller_amount)s are on their way to the seller."),
        Message.Event.REFUNDED: _(
            "The purchase is cancelled: %(amount)s are on their way back to the buyer."
        ),
        Message.Event.PAYOUT_COMPLETED: _("Transfer of %(seller_amount)s to the seller completed.")
        if to_seller
        else _("Refund of %(amount)s to the buyer completed."),
        Message.Event.PAYOUT_FAILED: _("The transfer to the seller failed; our team is looking into it.")
        if to_seller
        else _("The refund to the buyer failed; our team is looking into it."),
    }
    return texts[message.event] % {
        "amount": amount,
        "seller_amount": money(escrow.seller_amount, escrow.currency) if escrow else amount,
        "reason": message.body,
        "original": message.body,
    }


@register.filter
def stage(purchase: Purchase) -> str:
    return purchase_stage(purchase)


@register.filter(name="stage_label")
def stage_label_for(purchase: Purchase, user: object) -> str:
    """``{{ purchase|stage_label:user }}``: the list label of a purchase for ``user``."""
    return stage_label(purchase_stage(purchase), is_buyer=purchase.buyer_id == getattr(user, "pk", None))
