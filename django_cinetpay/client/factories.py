"""The clients the package uses, built from the settings and shared: one per configuration per process.

``CINETPAY_BACKEND`` (or the ``backend`` argument, a payment's or payout's own) says which of CinetPay's
APIs: ``"checkout_v2"`` (Checkout API v2 and Transfer API v1, the default) or ``"api"`` (the CinetPay
API). Either way the client implements the same interface, so callers need not know which.

A client holds a ``requests.Session`` (its pool of open connections) and, for transfers, a login token
valid five minutes. Building one per call would mean a new TCP and TLS handshake for every
notification's check and a new login for every payout. The factories here return the same client for the
same configuration instead; the clients are safe to share between threads. Treat a shared client as
read-only: to change its timeout or headers, pass an override (or a ``session``) and get a client of your
own, rather than changing one that every payout uses.

The cache key is every value a client is built from: the settings, read at each call, and the overrides.
A changed setting (``override_settings`` in tests, a rotated key) thus gives a new client and the old one
is never used again, with no signal to listen to; overrides (the webhook's short-deadline clients) get
clients of their own. Overrides must be hashable. Configurations are few, so the cache is a small dict
bounded by :data:`MAX_SHARED_CLIENTS`: when it is full the oldest entry is dropped (its client still
works for whoever holds it). A forked child process starts with an empty cache, so that two processes
never share a connection.

What a client remembers across processes (a login token, the contacts it added: see :mod:`.memory`)
lives in Django's cache ``CINETPAY_CACHE`` (``"default"`` unless set), so every worker process of the
site shares one login per token lifetime (per country, on the CinetPay API).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..exceptions import CinetPayConfigurationError
from .api import ApiCheckoutClient, ApiTransferClient, Connection, base_url_for, parse_credentials
from .checkout import CheckoutClient
from .transfer import TransferClient

#: ``CINETPAY_BACKEND`` values: which of CinetPay's APIs new payments and payouts go through.
CHECKOUT_V2 = "checkout_v2"  # Checkout API v2 and Transfer API v1
API = "api"  # the CinetPay API (OAuth, per-country accounts, sandbox)
BACKENDS = (CHECKOUT_V2, API)

#: How many configurations keep a shared client. The settings give one per API; the webhook's deadline
#: adds one per API; tests that override settings or inject a clock make the rest.
MAX_SHARED_CLIENTS = 16

T = TypeVar("T")

_clients: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()
#: How many times :func:`clear_clients` ran in this process. Part of the transfer memory's keys, so that
#: a clear also leaves behind what the cleared clients remembered in the cache. Nothing clears in
#: production, where every process uses generation 0 and so shares the same keys.
_generation = 0


@dataclass(frozen=True)
class DjangoCache:
    """Django's cache ``alias``, looked up at each use.

    ``caches[alias]`` gives each thread its own connection (some cache clients are not thread-safe),
    while a shared client serves every thread: so the cache is fetched per call, never kept. Compared by
    alias, so the factory's key for a client stays the same from call to call.
    """

    alias: str

    def get(self, key: str, default: Any = None) -> Any:
        return self._cache().get(key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._cache().set(key, value, timeout)

    def delete(self, key: str) -> Any:
        return self._cache().delete(key)

    def _cache(self) -> Any:
        from django.core.cache import caches

        return caches[self.alias]


def get_checkout_client(backend: str | None = None, **overrides: Any) -> CheckoutClient | ApiCheckoutClient:
    """The shared payment client of ``backend`` (``None``: ``CINETPAY_BACKEND``) for the settings as they
    are now, with ``overrides`` applied. Both kinds implement :class:`~.checkout.CheckoutBackend`."""
    from ..conf import settings

    if _backend(backend) == API:
        return _shared(_api_checkout, _api_options() | overrides)
    options: dict[str, Any] = {
        "api_key": settings.CINETPAY_API_KEY,
        "site_id": settings.CINETPAY_SITE_ID,
        "base_url": settings.CINETPAY_CHECKOUT_API_URL,
        "timeout": settings.CINETPAY_TIMEOUT,
        "check_attempts": settings.CINETPAY_CHECK_ATTEMPTS,
        "check_backoff": settings.CINETPAY_CHECK_BACKOFF,
    }
    return _shared(CheckoutClient, options | overrides)


def get_transfer_client(backend: str | None = None, **overrides: Any) -> TransferClient | ApiTransferClient:
    """The shared transfer client of ``backend`` (``None``: ``CINETPAY_BACKEND``) for the settings as
    they are now, with ``overrides`` applied. Both kinds implement
    :class:`~.transfer_answers.TransferBackend`.

    Sharing it shares its login token: concurrent payouts log in once; and through Django's cache
    ``CINETPAY_CACHE``, so do the site's other processes.
    """
    from ..conf import settings

    if _backend(backend) == API:
        return _shared(_api_transfer, _api_options() | overrides)
    options: dict[str, Any] = {
        "api_key": settings.CINETPAY_API_KEY,
        "password": settings.CINETPAY_TRANSFER_PASSWORD,
        "base_url": settings.CINETPAY_TRANSFER_API_URL,
        "timeout": settings.CINETPAY_TIMEOUT,
        "lang": settings.CINETPAY_LANG,
        "check_attempts": settings.CINETPAY_CHECK_ATTEMPTS,
        "check_backoff": settings.CINETPAY_CHECK_BACKOFF,
        "cache": DjangoCache(settings.CINETPAY_CACHE),
        "cache_namespace": str(_generation),
    }
    return _shared(TransferClient, options | overrides)


def _backend(backend: str | None) -> str:
    """``backend``, or ``CINETPAY_BACKEND``; a configuration error for a name no backend has."""
    from ..conf import settings

    name = str(backend or settings.CINETPAY_BACKEND)
    if name not in BACKENDS:
        raise CinetPayConfigurationError(
            f"Unknown CinetPay backend {name!r}: CINETPAY_BACKEND is one of {', '.join(BACKENDS)}."
        )
    return name


def _api_options() -> dict[str, Any]:
    """The CinetPay API clients' configuration from the settings; raises for unusable credentials."""
    from ..conf import settings

    credentials = parse_credentials(settings.CINETPAY_API_CREDENTIALS)
    return {
        "credentials": credentials,
        "base_url": base_url_for(credentials, settings.CINETPAY_API_URL),
        "timeout": settings.CINETPAY_TIMEOUT,
        "check_attempts": settings.CINETPAY_CHECK_ATTEMPTS,
        "check_backoff": settings.CINETPAY_CHECK_BACKOFF,
        "cache": DjangoCache(settings.CINETPAY_CACHE),
        "cache_namespace": str(_generation),
    }


def _api_checkout(
    *, check_attempts: int = 3, check_backoff: float = 0.5, **connection: Any
) -> ApiCheckoutClient:
    return ApiCheckoutClient(
        Connection(**connection), check_attempts=check_attempts, check_backoff=check_backoff
    )


def _api_transfer(
    *, check_attempts: int = 3, check_backoff: float = 0.5, **connection: Any
) -> ApiTransferClient:
    return ApiTransferClient(
        Connection(**connection), check_attempts=check_attempts, check_backoff=check_backoff
    )


def clear_clients() -> None:
    """Forget every shared client, so that the next call builds new ones (new sessions, a new login).

    For tests that fake CinetPay's HTTP: a client kept from an earlier test would bring that test's login
    token, or its contacts, to the next fake. So the new clients also use new keys in the cache: what the
    old ones remembered there is never read again (it expires in its time).
    :class:`~django_cinetpay.testing.CinetPayFake` calls it when it starts.
    """
    global _generation
    with _lock:
        _clients.clear()
        _generation += 1


def _shared(build: Callable[..., T], options: dict[str, Any]) -> T:
    """The cached ``build(**options)``, built under the lock so that racing threads get the same one."""
    key = (build, *sorted(options.items()))
    with _lock:
        client: T | None = _clients.get(key)
        if client is None:
            client = build(**options)
            if len(_clients) >= MAX_SHARED_CLIENTS:
                del _clients[next(iter(_clients))]  # the oldest: dicts keep insertion order
            _clients[key] = client
        return client


def _start_empty_after_fork() -> None:
    """In a forked child: no client of the parent's (their sockets are the parent's), and a fresh lock
    (another thread of the parent may have held it at the fork)."""
    global _lock
    _clients.clear()
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_start_empty_after_fork)
