"""A fake CinetPay for development: Checkout API v2, a checkout page and the Transfer API v1.

Install it as a Django app (``"django_cinetpay.simulator"``), include ``django_cinetpay.simulator.urls``
and point ``CINETPAY_CHECKOUT_API_URL`` / ``CINETPAY_TRANSFER_API_URL`` at it: the real client then talks
to it over HTTP, with no keys and no internet. The behaviour lives in :mod:`.engine`, which
:mod:`django_cinetpay.testing` runs inside the test process too. Never serve it in production
(system check ``cinetpay.E020``).
"""
