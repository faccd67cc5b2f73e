"""CinetPay's newer API (``api.cinetpay.net`` / ``api.cinetpay.co``, CINETPAY_API.md §8) in the engine.

OAuth login per country account, ``/v1/payment``, ``/v1/transfer``, ``/v1/balances``, numeric codes and
JSON notifications carrying a ``notify_token``. It works on the same :class:`~..context.Context` as
Checkout v2 and Transfer v1: payments and transfers are the engine's records (``api="oauth"``), paid on
the same checkout page and settled by the same actions, from the same balance.
"""
