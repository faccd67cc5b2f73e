"""Settings, declared once with django-appconf (prefix ``CINETPAY_``) and read at call time.

Only settings live here; what CinetPay itself knows (currencies, channels, limits) is in
:mod:`django_cinetpay.client.vocabulary`, which the validation below reads.

Import ``settings`` from here (``from django_cinetpay.conf import settings``) and read attributes inside
functions, never at module level, so ``override_settings`` works. Credentials and URLs default to the
environment variable of the same name.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from appconf import AppConf
from django.conf import settings as django_settings

from .client.vocabulary import COUNTRIES, KNOWN_CHANNELS, KNOWN_CURRENCIES
from .exceptions import CinetPayConfigurationError

__all__ = [
    "DUPLICATE_PAYMENT_ACTIONS",
    "CinetPayConf",
    "as_list",
    "duration",
    "optional_duration",
    "settings",
    "unknown_channels",
    "unknown_currencies",
]

#: Values of ``CINETPAY_DUPLICATE_PAYMENT_ACTION``.
DUPLICATE_PAYMENT_ACTIONS = ("refund", "hold")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _env_api_credentials() -> dict[str, dict[str, str]]:
    """The CinetPay API's credentials found in the environment: for each country CinetPay serves,
    ``CINETPAY_API_KEY_<CODE>`` and ``CINETPAY_API_PASSWORD_<CODE>`` (``CINETPAY_API_KEY_CI`` …).
    A country is listed when its key is set, so a missing password is reported by the checks."""
    return {
        code: {"api_key": key, "api_password": _env(f"CINETPAY_API_PASSWORD_{code}")}
        for code in COUNTRIES
        if (key := _env(f"CINETPAY_API_KEY_{code}"))
    }


def _to_timedelta(name: str, value: object) -> dt.timedelta:
    """Accept a timedelta or a number of seconds; refuse negative periods."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = dt.timedelta(seconds=value)
    if not isinstance(value, dt.timedelta) or value < dt.timedelta(0):
        raise CinetPayConfigurationError(f"{name} must be a non-negative timedelta or number of seconds.")
    return value


def as_list(value: object, *, sep: str | None = None) -> list[str]:
    """A setting given as a string (``sep``-separated) or a sequence, as upper-case items."""
    if isinstance(value, str):
        items = value.split(sep) if sep else [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v) for v in value]
    else:
        return [repr(value)]
    return [item.strip().upper() for item in items]


def unknown_currencies(value: object) -> list[str]:
    """The entries of a CINETPAY_CURRENCIES value CinetPay does not know (``["(empty)"]`` if empty)."""
    items = as_list(value)
    return [c for c in items if c not in KNOWN_CURRENCIES] if items else ["(empty)"]


def unknown_channels(value: object) -> list[str]:
    """The entries of a CINETPAY_CHANNELS value CinetPay does not know (``["(empty)"]`` if empty)."""
    items = as_list(value, sep=",")
    return [c for c in items if c not in KNOWN_CHANNELS] if items else ["(empty)"]


class CinetPayConf(AppConf):
    #: Which of CinetPay's APIs new payments and payouts go through: ``"checkout_v2"`` (Checkout API v2
    #: and Transfer API v1) or ``"api"`` (the CinetPay API). Rows in flight keep the API that made them.
    BACKEND = _env("CINETPAY_BACKEND", "checkout_v2")
    #: The CinetPay API's accounts, one per country: ``{"CI": {"api_key": "sk_test_…", "api_password":
    #: "…"}, …}``. Defaults to ``CINETPAY_API_KEY_<CODE>`` / ``CINETPAY_API_PASSWORD_<CODE>`` from the
    #: environment. ``sk_test_`` keys are the sandbox's, ``sk_live_`` keys production's: never both.
    API_CREDENTIALS: dict[str, dict[str, str]] = _env_api_credentials()
    #: The CinetPay API's address; ``""`` takes the one the keys belong to (sandbox
    #: ``https://api.cinetpay.net`` for ``sk_test_``, production ``https://api.cinetpay.co`` for
    #: ``sk_live_``). Set it to reach the simulator or a proxy instead.
    API_URL = _env("CINETPAY_API_URL")
    API_KEY = _env("CINETPAY_API_KEY")
    SITE_ID = _env("CINETPAY_SITE_ID")
    SECRET_KEY = _env("CINETPAY_SECRET_KEY")
    TRANSFER_PASSWORD = _env("CINETPAY_TRANSFER_PASSWORD")
    BASE_URL = _env("CINETPAY_BASE_URL")
    CHECKOUT_API_URL = _env("CINETPAY_CHECKOUT_API_URL", "https://api-checkout.cinetpay.com/v2")
    TRANSFER_API_URL = _env("CINETPAY_TRANSFER_API_URL", "https://client.cinetpay.com/v1")
    CHANNELS = "ALL"
    CURRENCIES: tuple[str, ...] = KNOWN_CURRENCIES
    DEFAULT_CURRENCY = "XOF"
    #: Per-currency (minimum, maximum) amounts replacing those of ``vocabulary.CURRENCY_LIMITS``.
    AMOUNT_LIMITS: dict[str, tuple[int, int]] = {}
    COMMISSION_RATE = "0.05"
    ESCROW_SECURITY_PERIOD = dt.timedelta(hours=24)
    ESCROW_AUTO_CONFIRM_AFTER: dt.timedelta | None = None
    #: How long after its checkout started a refused, cancelled or expired payment is still checked again
    #: (CinetPay's checkout lets the customer retry with the same token and pay): after it, final.
    PAYMENT_RECHECK_WINDOW = dt.timedelta(hours=24)
    #: What happens to the money of a duplicate payment (a second accepted payment of one order):
    #: ``"refund"`` sends it back to its payer at once; ``"hold"`` keeps it in a disputed escrow for staff.
    DUPLICATE_PAYMENT_ACTION = "refund"
    #: How often a payout CinetPay has not finished yet (manual approval can take hours) is checked again.
    PAYOUT_CHECK_INTERVAL = dt.timedelta(minutes=10)
    #: A payout still ``sending`` after this long was interrupted (worker killed mid-send): it becomes
    #: ``unknown`` and is looked up before anything else. Longer than a send can take (login, replay).
    PAYOUT_SEND_STALE_AFTER = dt.timedelta(minutes=10)
    #: A payout whose outcome is still unknown this long after its send is listed for a person
    #: (``cinetpay_reconcile``, health): the look-ups go on, but someone should check the back-office.
    PAYOUT_UNKNOWN_ALERT_AFTER = dt.timedelta(days=1)
    #: Rows per batch of the background jobs: a release batch is its own short transaction; a payout
    #: job run handles this many payouts and leaves the rest for the next run.
    JOB_BATCH_SIZE = 100
    TIMEOUT = 30.0
    #: Seconds a notification URL may spend asking CinetPay (one check, no retry) before it answers 503
    #: and leaves the stored notification to background work: a hung check never holds a web worker.
    NOTIFICATION_DEADLINE = 5.0
    CHECK_ATTEMPTS = 3
    CHECK_BACKOFF = 0.5
    #: The alias (in ``CACHES``) of the cache where the Transfer API login token and the contacts added
    #: are kept, shared by every process of the site. Never a payment's status.
    CACHE = "default"
    LANG = "fr"
    ADAPTER = "django_cinetpay.adapter.DefaultAdapter"
    # --- Messages to buyers and sellers (django_cinetpay.messaging) ---
    #: The channels messages go out on at all; ``()`` turns every message off.
    MESSAGE_CHANNELS: tuple[str, ...] = ("email", "sms")
    #: Per message kind, the channels it goes out on, replacing the defaults of
    #: ``django_cinetpay.messaging.kinds`` (e.g. ``{"seller_funds_released": ("email", "sms")}``; ``()`` off).
    MESSAGES: dict[str, tuple[str, ...]] = {}
    #: The dotted path of the SMS backend class. ``None``: the console backend when DEBUG is on, else no
    #: SMS at all.
    SMS_BACKEND: str | None = None
    #: The sender name or short code SMS come from, when the provider lets you choose ("" = its default).
    SMS_SENDER = _env("CINETPAY_SMS_SENDER")
    #: Credentials of the Africa's Talking backend (``pip install django-cinetpay[sms]``).
    AFRICASTALKING_USERNAME = _env("CINETPAY_AFRICASTALKING_USERNAME")
    AFRICASTALKING_API_KEY = _env("CINETPAY_AFRICASTALKING_API_KEY")
    #: The ``From`` of e-mails; ``None`` uses ``DEFAULT_FROM_EMAIL``.
    EMAIL_FROM: str | None = None
    #: The site's public address for the links in messages; "" falls back to ``CINETPAY_BASE_URL``.
    SITE_URL = _env("CINETPAY_SITE_URL")
    #: Attempts at sending one message before it ends failed; the wait doubles after each failure.
    MESSAGE_MAX_ATTEMPTS = 5
    MESSAGE_RETRY_BACKOFF = dt.timedelta(minutes=1)
    #: A message still ``sending`` this long after its claim was interrupted (worker killed mid-send):
    #: it ends failed, since it may have gone out; staff may send it again.
    MESSAGE_SEND_STALE_AFTER = dt.timedelta(minutes=15)
    #: How long before ``CINETPAY_ESCROW_AUTO_CONFIRM_AFTER`` confirms for a silent buyer they are reminded.
    ESCROW_REMINDER_BEFORE = dt.timedelta(hours=24)

    class Meta:
        prefix = "CINETPAY"

    def configure_base_url(self, value: str) -> str:
        # The seed guide's projects set BASE_URL; honour it when CINETPAY_BASE_URL is not set.
        return (value or getattr(django_settings, "BASE_URL", "") or "").rstrip("/")

    def configure_api_url(self, value: str) -> str:
        return (value or "").rstrip("/")

    def configure_currencies(self, value: object) -> tuple[str, ...]:
        unknown = unknown_currencies(value)
        if unknown:
            raise CinetPayConfigurationError(
                f"CINETPAY_CURRENCIES has unknown currency codes {unknown}; use some of "
                f"{', '.join(KNOWN_CURRENCIES)}."
            )
        return tuple(as_list(value))

    def configure_channels(self, value: object) -> str:
        unknown = unknown_channels(value)
        if unknown:
            raise CinetPayConfigurationError(
                f"CINETPAY_CHANNELS has unknown channels {unknown}; use {', '.join(KNOWN_CHANNELS)} "
                "(several may be joined with commas)."
            )
        return ",".join(as_list(value, sep=","))

    def configure_default_currency(self, value: str) -> str:
        value = value.upper()
        if value not in KNOWN_CURRENCIES:
            raise CinetPayConfigurationError(
                f"CINETPAY_DEFAULT_CURRENCY {value!r} is unknown; use one of {', '.join(KNOWN_CURRENCIES)}."
            )
        return value

    def configure_duplicate_payment_action(self, value: object) -> str:
        if value not in DUPLICATE_PAYMENT_ACTIONS:
            raise CinetPayConfigurationError(
                f"CINETPAY_DUPLICATE_PAYMENT_ACTION must be one of {', '.join(DUPLICATE_PAYMENT_ACTIONS)}, "
                f"not {value!r}."
            )
        return str(value)

    def configure_escrow_security_period(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_ESCROW_SECURITY_PERIOD", value)

    def configure_escrow_auto_confirm_after(self, value: object) -> dt.timedelta | None:
        return None if value in (None, "") else _to_timedelta("CINETPAY_ESCROW_AUTO_CONFIRM_AFTER", value)

    def configure_payment_recheck_window(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_PAYMENT_RECHECK_WINDOW", value)

    def configure_payout_check_interval(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_PAYOUT_CHECK_INTERVAL", value)

    def configure_payout_send_stale_after(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_PAYOUT_SEND_STALE_AFTER", value)

    def configure_payout_unknown_alert_after(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_PAYOUT_UNKNOWN_ALERT_AFTER", value)

    def configure_notification_deadline(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise CinetPayConfigurationError(
                "CINETPAY_NOTIFICATION_DEADLINE must be a positive number of seconds."
            )
        return float(value)

    def configure_cache(self, value: object) -> str:
        aliases = django_settings.CACHES
        if value not in aliases:
            raise CinetPayConfigurationError(
                f"CINETPAY_CACHE {value!r} is not a cache alias of CACHES ({', '.join(sorted(aliases))})."
            )
        return str(value)

    def configure_message_retry_backoff(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_MESSAGE_RETRY_BACKOFF", value)

    def configure_message_send_stale_after(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_MESSAGE_SEND_STALE_AFTER", value)

    def configure_escrow_reminder_before(self, value: object) -> dt.timedelta:
        return _to_timedelta("CINETPAY_ESCROW_REMINDER_BEFORE", value)

    def configure_site_url(self, value: str) -> str:
        return (value or "").rstrip("/")

    def configure_job_batch_size(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CinetPayConfigurationError("CINETPAY_JOB_BATCH_SIZE must be a positive integer.")
        return value


class _Settings:
    """Django's settings, read at attribute access (so ``override_settings`` works).

    A thin proxy rather than ``django.conf.settings`` itself so that type checkers accept the
    ``CINETPAY_*`` names, which django-appconf adds at run time.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(django_settings, name)


settings = _Settings()


def duration(name: str) -> dt.timedelta:
    """The duration setting ``name`` read now, as a timedelta.

    ``configure_*`` normalises values only at start-up; a number of seconds given later through
    ``override_settings`` must work the same.
    """
    return _to_timedelta(name, getattr(django_settings, name))


def optional_duration(name: str) -> dt.timedelta | None:
    """Like :func:`duration`, for a setting where ``None`` means "never"."""
    value = getattr(django_settings, name)
    return None if value in (None, "") else _to_timedelta(name, value)
