"""System checks with stable ids (``cinetpay.E0xx`` / ``cinetpay.W0xx``), each with a hint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.core import checks
from django.core.checks import CheckMessage

from .client.api.credentials import environments, parse_credentials, unprefixed
from .client.factories import API, BACKENDS, CHECKOUT_V2
from .client.vocabulary import KNOWN_CHANNELS, KNOWN_CURRENCIES
from .conf import as_list, settings, unknown_channels, unknown_currencies
from .exceptions import CinetPayConfigurationError

_CREDENTIALS: list[tuple[str, str, str, str]] = [
    (
        "CINETPAY_API_KEY",
        "001",
        "the API key",
        "Copy the apikey from your CinetPay back-office (menu Intégration) into CINETPAY_API_KEY or the "
        "CINETPAY_API_KEY environment variable.",
    ),
    (
        "CINETPAY_SITE_ID",
        "002",
        "the site id",
        "Copy the site_id from your CinetPay back-office (menu Intégration) into CINETPAY_SITE_ID.",
    ),
    (
        "CINETPAY_SECRET_KEY",
        "003",
        "the secret key, so notifications cannot be verified and are all refused",
        "Copy the secret key from your CinetPay back-office (menu Intégration) into CINETPAY_SECRET_KEY.",
    ),
]


def _severity(debug: bool, number: str, msg: str, hint: str) -> CheckMessage:
    """Errors in production (DEBUG False), warnings while developing."""
    if debug:
        return checks.Warning(msg, hint=hint, id=f"cinetpay.W{number}")
    return checks.Error(msg, hint=hint, id=f"cinetpay.E{number}")


@checks.register(checks.Tags.security, "cinetpay")
def check_credentials(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Checkout v2's credentials, when it is the backend (the CinetPay API's: :func:`check_api`)."""
    from django.conf import settings as django_settings

    if settings.CINETPAY_BACKEND != CHECKOUT_V2:
        return []
    debug = bool(django_settings.DEBUG)
    return [
        _severity(debug, number, f"{name} is not set: django-cinetpay does not know {what}.", hint)
        for name, number, what, hint in _CREDENTIALS
        if not getattr(settings, name)
    ]


@checks.register(checks.Tags.security, "cinetpay")
def check_base_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.conf import settings as django_settings

    base = settings.CINETPAY_BASE_URL
    debug = bool(django_settings.DEBUG)
    if not base:
        return [
            _severity(
                debug,
                "004",
                "CINETPAY_BASE_URL (or BASE_URL) is not set, so CinetPay has no "
                "notify_url or return_url to call.",
                "Set CINETPAY_BASE_URL to the public address of the site, e.g. https://example.com.",
            )
        ]
    parsed = urlparse(base)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return [
            checks.Error(
                f"CINETPAY_BASE_URL {base!r} is not an absolute http(s) URL.",
                hint="Use the form https://example.com (no path needed).",
                id="cinetpay.E005",
            )
        ]
    if not debug and parsed.scheme != "https":
        return [
            checks.Error(
                f"CINETPAY_BASE_URL {base!r} is not https while DEBUG is False.",
                hint="CinetPay posts notifications over the internet: serve them over https.",
                id="cinetpay.E006",
            )
        ]
    if not debug and parsed.hostname in ("localhost", "127.0.0.1", "::1"):
        return [
            checks.Error(
                f"CINETPAY_BASE_URL {base!r} points at this machine while DEBUG is False.",
                hint="CinetPay refuses localhost callback URLs; use the site's public address.",
                id="cinetpay.E007",
            )
        ]
    return []


@checks.register("cinetpay")
def check_currencies_and_channels(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    bad = unknown_currencies(settings.CINETPAY_CURRENCIES)
    if bad:
        errors.append(
            checks.Error(
                f"CINETPAY_CURRENCIES has unknown currencies: {bad}.",
                hint=f"Use some of {', '.join(KNOWN_CURRENCIES)}.",
                id="cinetpay.E008",
            )
        )
    bad = unknown_channels(settings.CINETPAY_CHANNELS)
    if bad:
        errors.append(
            checks.Error(
                f"CINETPAY_CHANNELS has unknown channels: {bad}.",
                hint=f"Use {', '.join(KNOWN_CHANNELS)}, joined with commas.",
                id="cinetpay.E009",
            )
        )
    default = str(settings.CINETPAY_DEFAULT_CURRENCY).upper()
    if default not in as_list(settings.CINETPAY_CURRENCIES):
        errors.append(
            checks.Error(
                f"CINETPAY_DEFAULT_CURRENCY {default!r} is not in CINETPAY_CURRENCIES.",
                hint="Add it to CINETPAY_CURRENCIES or choose another default.",
                id="cinetpay.E010",
            )
        )
    return errors


@checks.register("cinetpay")
def check_adapter(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The adapter must import, and should say where sellers are paid (else every payout waits for staff)."""
    from django.utils.module_loading import import_string

    from .adapter import DefaultAdapter

    try:
        adapter_class = import_string(settings.CINETPAY_ADAPTER)
    except ImportError as exc:
        return [
            checks.Error(
                f"CINETPAY_ADAPTER {settings.CINETPAY_ADAPTER!r} cannot be imported: {exc}.",
                hint="Give the dotted path of a subclass of django_cinetpay.adapter.DefaultAdapter.",
                id="cinetpay.E011",
            )
        ]
    if adapter_class.get_payout_destination is DefaultAdapter.get_payout_destination:
        return [
            checks.Warning(
                "The CinetPay adapter does not say where sellers are paid, so every seller payout will "
                "wait for staff to set a destination.",
                hint="Subclass django_cinetpay.adapter.DefaultAdapter, implement "
                "get_payout_destination(escrow) to return a PayoutDestination, and name the class in "
                "CINETPAY_ADAPTER.",
                id="cinetpay.W011",
            )
        ]
    return []


@checks.register("cinetpay")
def check_messages(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The message settings name known kinds and channels, and the SMS backend is a usable class.

    No backend is no error: SMS are then off (the console backend in DEBUG).
    """
    from django.utils.module_loading import import_string

    from .messaging.kinds import KINDS
    from .models import MessageChannel
    from .sms.backends.base import BaseSmsBackend

    errors: list[CheckMessage] = []
    known = set(MessageChannel.values)
    channels = list(settings.CINETPAY_MESSAGE_CHANNELS) + [
        channel for chosen in dict(settings.CINETPAY_MESSAGES).values() for channel in chosen
    ]
    unknown_kinds = sorted(set(dict(settings.CINETPAY_MESSAGES)) - set(KINDS))
    if unknown_kinds or set(channels) - known:
        errors.append(
            checks.Error(
                f"CINETPAY_MESSAGES or CINETPAY_MESSAGE_CHANNELS name unknown message kinds {unknown_kinds} "
                f"or channels {sorted(set(map(str, channels)) - known)}.",
                hint=f"Kinds are {', '.join(KINDS)}; channels are {', '.join(sorted(known))}.",
                id="cinetpay.E030",
            )
        )
    path = settings.CINETPAY_SMS_BACKEND
    if path:
        try:
            backend = import_string(path)
        except ImportError as exc:
            backend = None
            problem = f"cannot be imported: {exc}"
        else:
            problem = "is not a subclass of django_cinetpay.sms.backends.base.BaseSmsBackend"
        if not (isinstance(backend, type) and issubclass(backend, BaseSmsBackend)):
            errors.append(
                checks.Error(
                    f"CINETPAY_SMS_BACKEND {path!r} {problem}.",
                    hint="Name an SMS backend class, e.g. django_cinetpay.sms.backends.console.SmsBackend.",
                    id="cinetpay.E031",
                )
            )
    attempts = settings.CINETPAY_MESSAGE_MAX_ATTEMPTS
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        errors.append(
            checks.Error(
                "CINETPAY_MESSAGE_MAX_ATTEMPTS must be a positive integer.",
                hint="5 (the default) gives a provider about a quarter of an hour with the default back-off.",
                id="cinetpay.E032",
            )
        )
    return errors


@checks.register(checks.Tags.security, "cinetpay")
def check_api(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The backend is known, and the CinetPay API's credentials are usable: present when it is the
    backend, well formed, all sandbox or all production keys, and no sandbox key in production."""
    from django.conf import settings as django_settings

    errors: list[CheckMessage] = []
    backend = settings.CINETPAY_BACKEND
    if backend not in BACKENDS:
        errors.append(
            checks.Error(
                f"CINETPAY_BACKEND {backend!r} is not a CinetPay backend.",
                hint=f"Use one of {', '.join(map(repr, BACKENDS))}.",
                id="cinetpay.E040",
            )
        )
    try:
        credentials = parse_credentials(settings.CINETPAY_API_CREDENTIALS)
    except CinetPayConfigurationError as exc:
        return [*errors, checks.Error(str(exc), hint=_CREDENTIALS_HINT, id="cinetpay.E042")]
    if backend == API and not credentials:
        errors.append(
            checks.Error(
                'CINETPAY_BACKEND is "api" but no country has CinetPay API credentials.',
                hint=_CREDENTIALS_HINT,
                id="cinetpay.E041",
            )
        )
    bad = unprefixed(credentials)
    if bad:
        errors.append(
            checks.Error(
                f"The CinetPay API keys of {', '.join(bad)} start with neither sk_test_ nor sk_live_.",
                hint="Copy each country's api_key from CinetPay's dashboard: sandbox keys start with "
                "sk_test_, production keys with sk_live_.",
                id="cinetpay.E043",
            )
        )
    found = environments(credentials)
    if len(found) > 1:
        errors.append(
            checks.Error(
                "CINETPAY_API_CREDENTIALS mixes sk_test_ (sandbox) and sk_live_ (production) keys.",
                hint="A key logs in only where it belongs, so some countries would always fail: use "
                "sk_live_ keys everywhere in production, sk_test_ keys everywhere in the sandbox.",
                id="cinetpay.E044",
            )
        )
    elif found == {"sandbox"} and not django_settings.DEBUG:
        errors.append(
            checks.Warning(
                "The CinetPay API keys are sandbox keys (sk_test_) while DEBUG is False: no real money "
                "will move.",
                hint="Use the sk_live_ keys of CinetPay's dashboard in production.",
                id="cinetpay.W045",
            )
        )
    url = settings.CINETPAY_API_URL
    parsed = urlparse(url)
    if url and (parsed.scheme not in ("http", "https") or not parsed.netloc):
        errors.append(
            checks.Error(
                f"CINETPAY_API_URL {url!r} is not an absolute http(s) URL.",
                hint="Leave it empty: the address follows from the keys (sk_test_: https://api.cinetpay.net, "
                "sk_live_: https://api.cinetpay.co).",
                id="cinetpay.E046",
            )
        )
    return errors


_CREDENTIALS_HINT = (
    'Set CINETPAY_API_CREDENTIALS = {"CI": {"api_key": "sk_live_…", "api_password": "…"}, …} with one entry '
    "per country of your CinetPay accounts, or the environment variables CINETPAY_API_KEY_CI and "
    "CINETPAY_API_PASSWORD_CI (one pair per country code)."
)
