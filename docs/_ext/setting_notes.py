"""What a setting means, for the settings whose declaration has no ``#:`` comment yet.

The reference prefers the comment in the code; a note here is only for a setting without one.
``tests/docs/test_reference_drift.py`` fails when a note names a setting that does not exist or that has
its own comment (move the words into the code then, and delete the note), and when a setting has neither.
"""

SETTING_NOTES: dict[str, str] = {
    # django_cinetpay.conf.CinetPayConf
    "CINETPAY_API_KEY": "Checkout v2's ``apikey`` (CinetPay back-office, menu Intégration).",
    "CINETPAY_SITE_ID": "Checkout v2's ``site_id``: it must belong to the account of the API key.",
    "CINETPAY_SECRET_KEY": (
        "The secret key that signs Checkout v2's notifications (the ``x-token``). Without it every "
        "notification is refused."
    ),
    "CINETPAY_TRANSFER_PASSWORD": "The Transfer API's password (seller payouts and buyer refunds).",
    "CINETPAY_BASE_URL": (
        "The site's public address, from which the notify and return URLs CinetPay calls are built. "
        "Falls back to ``BASE_URL``; CinetPay refuses ``localhost``."
    ),
    "CINETPAY_CHECKOUT_API_URL": "Checkout API v2's address (the simulator's, in development).",
    "CINETPAY_TRANSFER_API_URL": "Transfer API v1's address (the simulator's, in development).",
    "CINETPAY_CHANNELS": (
        "The payment channels offered: ``ALL``, ``MOBILE_MONEY``, ``CREDIT_CARD``, ``WALLET`` "
        "(several joined with commas)."
    ),
    "CINETPAY_CURRENCIES": "The currencies payments may use.",
    "CINETPAY_DEFAULT_CURRENCY": (
        "The currency of a payment created without one; must be in CINETPAY_CURRENCIES."
    ),
    "CINETPAY_COMMISSION_RATE": (
        "The marketplace's share of each escrowed payment (a decimal string); the adapter's "
        "``get_commission_rate`` or ``create_payment(commission_rate=…)`` override it per payment."
    ),
    "CINETPAY_ESCROW_SECURITY_PERIOD": (
        "How long after the buyer confirms receipt they may still open a dispute; then the money is "
        "released to the seller. A timedelta or a number of seconds; zero releases at once."
    ),
    "CINETPAY_ESCROW_AUTO_CONFIRM_AFTER": (
        "Confirm receipt for a buyer who never answers, this long after the payment was accepted; "
        "``None`` waits for the buyer forever."
    ),
    "CINETPAY_TIMEOUT": "Seconds each HTTP request to CinetPay may take.",
    "CINETPAY_CHECK_ATTEMPTS": "Attempts at a payment check (an idempotent call) before giving up.",
    "CINETPAY_CHECK_BACKOFF": "Seconds before the first retry of a check; doubled after each attempt.",
    "CINETPAY_LANG": "The language of CinetPay's checkout page.",
    "CINETPAY_ADAPTER": (
        "The dotted path of the adapter class, a subclass of "
        ":class:`~django_cinetpay.adapter.DefaultAdapter` (customisation hooks)."
    ),
    "CINETPAY_AFRICASTALKING_API_KEY": (
        "The API key of the Africa's Talking account (see the username above)."
    ),
    "CINETPAY_MESSAGE_RETRY_BACKOFF": (
        "The wait before the first retry of a failed message; doubled after each."
    ),
    # django_cinetpay.simulator.conf.SimulatorConf
    "CINETPAY_SIMULATOR_ALLOW_PRODUCTION": (
        "Silence the ``cinetpay.E020`` guard for a staging site that must use the simulator; never on a "
        "real site."
    ),
    "CINETPAY_SIMULATOR_TRANSFER_BALANCE": "The simulated transfer account's starting balance (both APIs).",
    "CINETPAY_SIMULATOR_TRANSFER_DELAY": (
        "Seconds after which a transfer settles on its own; ``None``: only from the simulator's page."
    ),
    "CINETPAY_SIMULATOR_FAULTS": (
        'Fault rules always on, e.g. ``["latency=0.5"]`` or '
        '``[{"fault": "5xx", "target": "payment/check", "times": 2}]``.'
    ),
    "CINETPAY_SIMULATOR_MERCHANT_NAME": (
        "The merchant name shown on the checkout page (default: the site id)."
    ),
    "CINETPAY_SIMULATOR_NOTIFY_TIMEOUT": "Seconds the simulator waits for the site's notify URL to answer.",
    "CINETPAY_SIMULATOR_ACCOUNTS": (
        "The CinetPay API's country accounts the simulator accepts, in the shape of "
        "CINETPAY_API_CREDENTIALS; empty (the default) takes the project's own CINETPAY_API_CREDENTIALS."
    ),
}
