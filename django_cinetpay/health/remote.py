"""The checks that ask CinetPay: does it answer our keys (a ping), and how much can the Transfer account
pay out now. Their findings are kept a short while in Django's cache (``CINETPAY_CACHE``), so a health
page reloaded by a monitor every few seconds does not become traffic to CinetPay.

Only these findings are cached, under keys that name the account by a digest (never the key itself);
a payment's or a payout's status never is: only CinetPay's check says it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from django.core.cache import caches
from django.db.models import Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import exceptions
from ..client import get_checkout_client, get_transfer_client
from ..conf import settings
from ..formatting import money
from ..models import PayoutRequest
from ..states import PayoutStatus
from .results import Finding, Level

logger = logging.getLogger("django_cinetpay")

#: Seconds a finding about CinetPay is reused.
CACHE_SECONDS = 60
#: The id the ping looks up: nobody's payment, so good keys get a "not found"-style answer, bad ones 609/613.
PING_TRANSACTION_ID = "cinetpay-ping-0"


def ping_checkout() -> tuple[Level, str]:
    """Ask CinetPay's Checkout API about a payment nobody made: the answer says whether the keys work."""
    try:
        get_checkout_client(check_attempts=1).check_payment(PING_TRANSACTION_ID)
    except exceptions.CinetPayAuthError as exc:
        return Level.ERROR, _("CinetPay refused the credentials: %(error)s") % {"error": exc}
    except exceptions.CinetPayNetworkError as exc:
        return Level.ALERT, _("CinetPay could not be reached: %(error)s") % {"error": exc}
    except exceptions.CinetPayAPIError:
        pass  # any other answer about an unknown payment means the keys were accepted
    return Level.OK, _("CinetPay answers and accepts the credentials.")


def _cached(name: str, compute: Callable[[], Finding]) -> Finding:
    """``compute()``, or its finding of the last :data:`CACHE_SECONDS`; a failing cache is an empty one."""
    credentials = settings.CINETPAY_API_CREDENTIALS  # checked by E041/E042; never trusted here
    pairs = credentials.values() if isinstance(credentials, dict) else ()
    api_keys = sorted(str(pair.get("api_key", "")) for pair in pairs if isinstance(pair, dict))
    account = "\n".join(
        (
            settings.CINETPAY_BACKEND,
            settings.CINETPAY_CHECKOUT_API_URL,
            settings.CINETPAY_TRANSFER_API_URL,
            settings.CINETPAY_API_KEY,
            settings.CINETPAY_API_URL,
            *api_keys,
        )
    )
    # Per language too: the finding's text is for people, in the language it was written in.
    digest = hashlib.sha256(account.encode()).hexdigest()[:32]
    key = f"django_cinetpay:health:{name}:{get_language() or ''}:{digest}"
    cache = caches[settings.CINETPAY_CACHE]
    try:
        stored = cache.get(key)
    except Exception as exc:  # a cache is an optimisation: carry on without it
        logger.warning("CinetPay health: the cache failed to read (%s)", type(exc).__name__)
        stored = None
    if isinstance(stored, Finding):
        return stored
    finding = compute()
    try:
        cache.set(key, finding, CACHE_SECONDS)
    except Exception as exc:
        logger.warning("CinetPay health: the cache failed to write (%s)", type(exc).__name__)
    return finding


def reachability(now: dt.datetime) -> Finding:
    """CinetPay's Checkout API answers and accepts the keys."""

    def compute() -> Finding:
        level, summary = ping_checkout()
        return Finding("cinetpay", _("CinetPay"), level, summary, (), {"reachable": level < Level.ALERT})

    return _cached("ping", compute)


def balance(now: dt.datetime) -> Finding:
    """The Transfer account's available balance, against what payouts waiting to be sent need."""

    def compute() -> Finding:
        title = _("Transfer balance")
        if not settings.CINETPAY_TRANSFER_PASSWORD:
            return Finding(
                "balance",
                title,
                Level.WARNING,
                _("CINETPAY_TRANSFER_PASSWORD is not set: no payout can be sent."),
            )
        try:
            available = get_transfer_client().get_balance().available
        except exceptions.CinetPayAuthError as exc:
            return Finding(
                "balance", title, Level.ERROR, _("The Transfer API refused us: %(error)s") % {"error": exc}
            )
        except exceptions.CinetPayError as exc:
            return Finding(
                "balance",
                title,
                Level.ALERT,
                _("The Transfer API could not be asked: %(error)s") % {"error": exc},
            )
        currency = settings.CINETPAY_DEFAULT_CURRENCY
        needed = (
            PayoutRequest.objects.filter(status=PayoutStatus.PENDING, currency=currency).aggregate(
                total=Sum("amount")
            )["total"]
            or 0
        )
        data = {"available": available, "needed": needed, "currency": currency}
        values = {"available": money(available, currency), "needed": money(needed, currency)}
        if available < needed:
            summary = _("Available %(available)s, less than the %(needed)s payouts waiting need: top it up.")
            return Finding("balance", title, Level.ALERT, summary % values, (), data)
        summary = _("Available %(available)s; payouts waiting need %(needed)s.")
        return Finding("balance", title, Level.OK, summary % values, (), data)

    return _cached("balance", compute)
