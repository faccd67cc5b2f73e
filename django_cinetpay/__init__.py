"""django-cinetpay: CinetPay payments, escrow and payouts for Django."""

__version__ = "0.1.0.dev0"
