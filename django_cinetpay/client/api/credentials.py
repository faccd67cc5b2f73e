"""The CinetPay API's credentials: one ``api_key`` / ``api_password`` pair per country, and which host
they belong to.

CinetPay gives one account per country: a key logs in to that country's account only, so a site taking
payments in Côte d'Ivoire and Senegal holds two pairs. The key's prefix says where it works: ``sk_test_``
keys log in to the sandbox only, ``sk_live_`` keys to production only, so the host follows from the
keys, and keys of both kinds together can never all work (a configuration error, not a runtime one).

Pure functions over the value of ``CINETPAY_API_CREDENTIALS``; the settings are read by the factories,
the system checks and ``cinetpay_ping``, which all judge a value with the same functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from ...exceptions import CinetPayConfigurationError
from ..vocabulary import COUNTRIES

SANDBOX_URL = "https://api.cinetpay.net"
PRODUCTION_URL = "https://api.cinetpay.co"
#: What to set when no country has credentials.
NO_CREDENTIALS = (
    "The CinetPay API needs the credentials of at least one country in CINETPAY_API_CREDENTIALS "
    '({"CI": {"api_key": "sk_test_…", "api_password": "…"}}) or in the environment '
    "(CINETPAY_API_KEY_CI and CINETPAY_API_PASSWORD_CI …)."
)
TEST_PREFIX = "sk_test_"
LIVE_PREFIX = "sk_live_"


@dataclass(frozen=True)
class CountryCredentials:
    """One country's account. Hashable, so a client's configuration can be a cache key; the secrets
    stay out of its repr."""

    country: str  # ISO code: "CI"
    api_key: str
    api_password: str

    def __repr__(self) -> str:
        return f"CountryCredentials(country={self.country!r}, api_key={environment(self.api_key)!r})"


def environment(api_key: str) -> str:
    """``"sandbox"`` for an ``sk_test_`` key, ``"production"`` for an ``sk_live_`` key, else ``""``."""
    if api_key.startswith(TEST_PREFIX):
        return "sandbox"
    if api_key.startswith(LIVE_PREFIX):
        return "production"
    return ""


def parse_credentials(value: object) -> tuple[CountryCredentials, ...]:
    """The countries' credentials in ``value`` (``{"CI": {"api_key": …, "api_password": …}, …}``), in
    its order. Raises :class:`CinetPayConfigurationError` saying what to fix for anything else."""
    if not value:
        return ()
    if not isinstance(value, dict):
        raise CinetPayConfigurationError(
            'CINETPAY_API_CREDENTIALS must be a dict: {"CI": {"api_key": "sk_test_…", "api_password": "…"}}.'
        )
    found = []
    for country, pair in value.items():
        code = str(country).strip().upper()
        if code not in COUNTRIES:
            raise CinetPayConfigurationError(
                f"CINETPAY_API_CREDENTIALS names {country!r}, which is not a country CinetPay serves; "
                f"use ISO codes among {', '.join(COUNTRIES)}."
            )
        key = pair.get("api_key") if isinstance(pair, dict) else None
        password = pair.get("api_password") if isinstance(pair, dict) else None
        if not (isinstance(key, str) and key.strip() and isinstance(password, str) and password):
            raise CinetPayConfigurationError(
                f'CINETPAY_API_CREDENTIALS["{code}"] needs both "api_key" and "api_password" (the pair '
                "CinetPay gives for this country's account)."
            )
        found.append(CountryCredentials(code, key.strip(), password))
    return tuple(found)


def unprefixed(credentials: Iterable[CountryCredentials]) -> list[str]:
    """The countries whose key is neither ``sk_test_`` nor ``sk_live_``."""
    return [c.country for c in credentials if not environment(c.api_key)]


def environments(credentials: Iterable[CountryCredentials]) -> set[str]:
    """The environments the keys belong to (``{"sandbox", "production"}`` when they are mixed)."""
    return {environment(c.api_key) for c in credentials} - {""}


def base_url_for(credentials: Iterable[CountryCredentials], configured: str = "") -> str:
    """The API's address: ``configured`` (``CINETPAY_API_URL``) when set, else the host the keys' prefix
    names. Raises :class:`CinetPayConfigurationError` for no keys, keys of both kinds, keys of neither kind
    without a ``configured`` URL, or a URL that is not absolute http(s)."""
    credentials = tuple(credentials)
    if not credentials:
        raise CinetPayConfigurationError(NO_CREDENTIALS)
    found = environments(credentials)
    if len(found) > 1:
        raise CinetPayConfigurationError(
            "CINETPAY_API_CREDENTIALS mixes sk_test_ (sandbox) and sk_live_ (production) keys: a key only "
            "logs in where it belongs, so some countries would always fail. Use keys of one kind."
        )
    if configured:
        parsed = urlparse(configured)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise CinetPayConfigurationError(
                f"CINETPAY_API_URL {configured!r} is not an absolute http(s) URL; leave it empty to use "
                "the host the keys belong to."
            )
        return configured.rstrip("/")
    if unprefixed(credentials) or not found:
        raise CinetPayConfigurationError(
            "The CinetPay API keys of "
            f"{', '.join(unprefixed(credentials)) or 'CINETPAY_API_CREDENTIALS'} start with neither "
            "sk_test_ nor sk_live_, so the host cannot be chosen: copy the keys from CinetPay's dashboard, "
            "or set CINETPAY_API_URL."
        )
    return SANDBOX_URL if found == {"sandbox"} else PRODUCTION_URL
