"""What a client remembers between calls, and between processes: its login token (Transfer API v1, and
the CinetPay API's JWT per country) and, for the Transfer API, the contacts it added.

CinetPay's login token is valid five minutes for the whole account, and a recipient, once a contact,
stays one. Kept in a cache that every worker process shares (:func:`~.factories.get_transfer_client`
gives Django's ``caches[CINETPAY_CACHE]``), the account logs in once per token lifetime rather than once
per process, and each recipient is added once rather than before every payout. Nothing else is kept: a
payment's or a payout's status is never cached (only CinetPay's check says it).

Two layers: each client keeps what it learnt in its own memory too, and asks the shared cache only for
what it does not know. So a Transfer API call costs no cache round trip in steady state, and a cache
that keeps nothing (Django's ``DummyCache``) or fails (a Redis server down: logged, counted as empty)
leaves each client remembering for itself, as clients did before the shared cache. The worst a lost or
failing cache costs is one login or one contact request per process. A token another process found
refused is dropped from the shared cache; this process's copy goes at its own first refusal, which
then finds the fresh token there (one request replayed, no login).

Keys name the account by a digest of the base URL and API key, never the key itself, and a contact by a
digest that includes the key, so a phone number cannot be read from the cache, nor guessed without the
key. The token itself is a credential: give ``CINETPAY_CACHE`` a cache only the site's processes read.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

logger = logging.getLogger("django_cinetpay.client")

#: How long a contact is remembered. Long: CinetPay keeps contacts, and one it lost since (removed in the
#: back-office) answers a send with 724, which drops it from the memory (and the payout adds it again).
CONTACT_MEMORY = 30 * 24 * 3600  # 30 days, the longest relative timeout memcached takes


class Cache(Protocol):
    """The part of Django's cache API the memory uses (any ``django.core.cache`` backend has it)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = ...) -> None: ...

    def delete(self, key: str) -> Any: ...


class MemoryCache:
    """A cache in this process's memory: a client's own layer. Thread-safe; holds at most
    :attr:`max_entries` entries, the least recently used dropped first (the token, read at every call,
    stays)."""

    max_entries = 1000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key not in self._entries:
                return default
            value, until = self._entries[key]
            if self._clock() >= until:
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        with self._lock:
            self._entries[key] = (value, math.inf if timeout is None else self._clock() + timeout)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._entries.pop(key, None) is not None


class TokenMemory:
    """One account's login token: in this client's memory, and in ``shared`` (when given) for every
    process. ``namespace`` separates key spaces in ``shared``; ``kind`` names the API, so that the
    Transfer API's token and the CinetPay API's JWT of one key never meet.

    Times are wall-clock seconds (``time.time``), the clock processes share; the token's expiry is
    stored with it and checked at every read, so a cache that keeps entries longer than asked (or a
    token written by a process whose clock is ahead) never hands out an expired token.
    """

    def __init__(
        self,
        shared: Cache | None,
        *,
        api_key: str,
        base_url: str,
        namespace: str = "",
        kind: str = "transfer",
    ) -> None:
        self._local = MemoryCache()
        self._shared = shared
        self._secret = f"{base_url}\n{api_key}"
        self._prefix = f"django_cinetpay:{kind}:{namespace}:{_digest(self._secret)}"

    # --- the login token ---------------------------------------------------------------------------

    def token(self, now: float) -> str:
        """The token remembered here or shared, if one is still valid at ``now``; else ``""``."""
        token = _valid_token(self._local.get(self._token_key), now)
        if not token:
            stored = self._shared_get(self._token_key)
            token = _valid_token(stored, now)
            if token:
                self._local.set(self._token_key, stored, stored["expires_at"] - now)
        return token

    def keep_token(self, token: str, *, now: float, expires_at: float) -> None:
        """Remember ``token`` until ``expires_at``, here and for every process."""
        stored = {"token": token, "expires_at": expires_at}
        self._local.set(self._token_key, stored, expires_at - now)
        self._shared_set(self._token_key, stored, max(1, math.ceil(expires_at - now)))

    def drop_token(self, token: str | None = None) -> None:
        """Forget the token; with ``token``, only where it is still that one (another process may already
        have replaced a refused token by a fresh one, which must stay)."""
        if token is None or _stored_token(self._local.get(self._token_key)) == token:
            self._local.delete(self._token_key)
        if token is None or _stored_token(self._shared_get(self._token_key)) == token:
            self._shared_delete(self._token_key)

    @property
    def _token_key(self) -> str:
        return f"{self._prefix}:token"

    # --- the shared cache, which may fail -------------------------------------------------------------

    def _shared_get(self, key: str) -> Any:
        if self._shared is None:
            return None
        try:
            return self._shared.get(key)
        except Exception as exc:  # an optimisation: a failing cache is an empty one
            _cache_failed("read", exc)
            return None

    def _shared_set(self, key: str, value: Any, timeout: float) -> None:
        if self._shared is None:
            return
        try:
            self._shared.set(key, value, timeout)
        except Exception as exc:
            _cache_failed("write", exc)

    def _shared_delete(self, key: str) -> None:
        if self._shared is None:
            return
        try:
            self._shared.delete(key)
        except Exception as exc:
            _cache_failed("delete", exc)


class TransferMemory(TokenMemory):
    """One Transfer API account's token and the contacts it added (CinetPay's newer API has none)."""

    # --- contacts ----------------------------------------------------------------------------------

    def knows_contact(self, prefix: str, phone: str) -> bool:
        """Whether this account added ``prefix`` ``phone`` as a contact (within :data:`CONTACT_MEMORY`)."""
        key = self._contact_key(prefix, phone)
        if self._local.get(key):
            return True
        if self._shared_get(key):
            self._local.set(key, True, CONTACT_MEMORY)
            return True
        return False

    def remember_contact(self, prefix: str, phone: str) -> None:
        key = self._contact_key(prefix, phone)
        self._local.set(key, True, CONTACT_MEMORY)
        self._shared_set(key, True, CONTACT_MEMORY)

    def forget_contact(self, prefix: str, phone: str) -> None:
        key = self._contact_key(prefix, phone)
        self._local.delete(key)
        self._shared_delete(key)

    def _contact_key(self, prefix: str, phone: str) -> str:
        contact = _digest("\n".join((self._secret, prefix, phone)))
        return f"{self._prefix}:contact:{contact}"


def _stored_token(stored: Any) -> str:
    """The token of a stored entry, valid or not; ``""`` for anything else a cache may hold."""
    token = stored.get("token") if isinstance(stored, dict) else None
    return token if isinstance(token, str) else ""


def _valid_token(stored: Any, now: float) -> str:
    """The token of a stored entry still valid at ``now``; else ``""``."""
    expires_at = stored.get("expires_at") if isinstance(stored, dict) else None
    if isinstance(expires_at, (int, float)) and now < expires_at:
        return _stored_token(stored)
    return ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _cache_failed(action: str, exc: Exception) -> None:
    """Log a cache failure by its type only: its message may name the cache server's address."""
    logger.warning(
        "CinetPay transfer memory: the cache failed to %s (%s); carrying on without it",
        action,
        type(exc).__name__,
    )
