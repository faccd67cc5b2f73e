"""The admin, one module per concern; importing this package registers every ModelAdmin."""

from . import records  # noqa: F401  (registers the payment, notification, escrow and payout admins)
