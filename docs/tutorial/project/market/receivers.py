from django.dispatch import receiver

from django_cinetpay.signals import payment_accepted


@receiver(payment_accepted)
def mark_sold(sender, transaction, **kwargs):
    """Sent once, after commit, when CinetPay's check endpoint confirms the payment."""
    listing = transaction.order
    listing.sold = True
    listing.save(update_fields=["sold"])
