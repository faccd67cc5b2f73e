"""The CinetPay API's login and authenticated requests, per country.

Each country's account logs in with its own pair (``POST /v1/oauth/login``) and gets a JWT valid a day.
The token is kept in this client and in Django's cache ``CINETPAY_CACHE`` (:mod:`..memory`), so every
process of the site logs in once per country per :data:`TOKEN_LIFETIME`, and a second client (the
checkout's and the transfer's, another worker) reuses it. A request whose token CinetPay refuses (1002
INVALID_TOKEN, 1003 EXPIRED_TOKEN, or a bare HTTP 401) was refused before anything was done, so it is
the only one replayed: once, after a fresh login. A second refusal is an error.

The key, the password and the token never appear in logs or exception messages: the request's exception
chain (whose objects hold the body and the headers) is cut off.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from ... import exceptions
from .. import http
from ..memory import Cache, TokenMemory
from ..parsing import data_of, int_or_none, text
from . import codes
from .credentials import NO_CREDENTIALS, CountryCredentials

logger = logging.getLogger("django_cinetpay.client")

#: Seconds a token is used: CinetPay's live 24 h; like CinetPay's SDK, we stop an hour earlier so a
#: request never leaves with a token about to expire.
TOKEN_LIFETIME = 82_800.0
LOGIN_PATH = "/v1/oauth/login"


class Connection:
    """HTTP to the CinetPay API for a set of countries: one ``requests.Session``, a token per country.

    Threads may share it: threads of one country finding no token wait for one login. ``clock`` is
    wall-clock seconds (the clock processes share), injectable for tests.
    """

    def __init__(
        self,
        *,
        credentials: tuple[CountryCredentials, ...],
        base_url: str,
        timeout: float = 30.0,
        session: Any = None,
        cache: Cache | None = None,
        cache_namespace: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not credentials:
            raise exceptions.CinetPayConfigurationError(NO_CREDENTIALS)
        self._accounts = {c.country: c for c in credentials}
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or http.new_session()
        self.clock = clock
        self._memory = {
            c.country: TokenMemory(
                cache, api_key=c.api_key, base_url=self.base_url, namespace=cache_namespace, kind="api"
            )
            for c in credentials
        }
        self._locks = {country: threading.Lock() for country in self._accounts}

    def __repr__(self) -> str:
        return f"<Connection countries={','.join(self.countries)} base_url={self.base_url}>"

    @property
    def countries(self) -> tuple[str, ...]:
        """The countries with credentials, in the order the settings give them."""
        return tuple(self._accounts)

    def require(self, country: str, what: str) -> str:
        """``country`` when it has credentials; else a configuration error saying what to set."""
        if country in self._accounts:
            return country
        raise exceptions.CinetPayConfigurationError(
            f"{what} goes through CinetPay's account for {country}, and CINETPAY_API_CREDENTIALS has no "
            f'credentials for it: add {{"{country}": {{"api_key": …, "api_password": …}}}} (or set '
            f"CINETPAY_API_KEY_{country} and CINETPAY_API_PASSWORD_{country}). Configured: "
            f"{', '.join(self.countries) or 'none'}."
        )

    # --- the token ------------------------------------------------------------------------------------

    def login(self, country: str) -> str:
        """A token for ``country``: the remembered one (this process's or another's), else a fresh login.

        Raises :class:`~django_cinetpay.exceptions.CinetPayAuthError` when CinetPay refuses the pair.
        """
        memory = self._memory[self.require(country, "This request")]
        token = memory.token(self.clock())
        if token:
            return token
        with self._locks[country]:
            token = memory.token(self.clock())  # a thread we waited for may have logged in
            return token or self._log_in(country)

    def check_login(self, country: str) -> None:
        """Log in to ``country``'s account now, whatever token is remembered: proves the pair works
        (``cinetpay_ping``). The fresh token is kept, like any other."""
        with self._locks[self.require(country, "A login")]:
            self._log_in(country)

    def _log_in(self, country: str) -> str:
        """``POST /v1/oauth/login`` for ``country``; the token is remembered for every process."""
        memory = self._memory[country]
        account = self._accounts[country]
        status, payload = self._send(
            "POST", LOGIN_PATH, {"api_key": account.api_key, "api_password": account.api_password}
        )
        token = text(payload.get("access_token")) or text(data_of(payload).get("access_token"))
        if not token:
            if status < 400 and not _is_error(payload):
                raise exceptions.CinetPayInvalidResponseError(
                    f"CinetPay's login answer for {country} has no access_token.", http_status=status
                )
            code, status_word = _code_and_status(payload)
            if not codes.code_for(code, status_word) and status == HTTPStatus.UNAUTHORIZED:
                code = codes.INVALID_CREDENTIALS  # a bare 401 at login refuses the pair
            raise codes.api_error(
                code,
                status_word,
                _description(payload) or f"login refused for {country}",
                http_status=status,
            )
        now = self.clock()
        memory.keep_token(token, now=now, expires_at=now + _lifetime(payload))
        logger.debug("CinetPay API login for %s succeeded", country)
        return token

    def forget_token(self, country: str, token: str | None = None) -> None:
        """Drop ``country``'s token (for every process); with ``token``, only if it is still that one."""
        self._memory[country].drop_token(token)

    # --- requests -------------------------------------------------------------------------------------

    def call(
        self, country: str, method: str, path: str, json_body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Send with ``country``'s token; on a refused token, log in again and replay once.

        Returns ``(http_status, answer)``, errors included: the caller decides which codes are answers
        (a FAILED payment) and which are errors. A token refused twice comes back too, for the caller to
        raise as the error it maps.
        """
        for attempt in (1, 2):
            token = self.login(country)
            try:
                status, payload = self._send(method, path, json_body, token=token)
            except exceptions.CinetPayInvalidResponseError as exc:
                if exc.http_status != HTTPStatus.UNAUTHORIZED:
                    raise
                # A bare 401 page (a gateway in front of CinetPay) refuses the token as 1002 would.
                status, payload = HTTPStatus.UNAUTHORIZED.value, {"code": codes.INVALID_TOKEN}
            if not is_token_refusal(status, payload):
                return status, payload
            self.forget_token(country, token)
            if attempt == 2:
                return status, payload
            logger.info("CinetPay API token for %s refused; logging in again", country)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self, method: str, path: str, json_body: dict[str, Any] | None = None, *, token: str = ""
    ) -> tuple[int, dict[str, Any]]:
        """One request through :func:`http.send`; the answer must be a JSON object. The exception chain
        is cut, since ``requests``' exceptions carry the body (the password at login) and the headers."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            status, payload = http.send(
                self.session,
                method,
                f"{self.base_url}{path}",
                timeout=self.timeout,
                json_body=json_body,
                headers=headers,
            )
        except exceptions.CinetPayNetworkError as exc:
            exc.__context__ = None
            raise exc from None
        if not isinstance(payload, dict):
            raise exceptions.CinetPayInvalidResponseError(
                f"CinetPay's answer to {method} {path} is not a JSON object.", http_status=status
            )
        return status, payload


def is_token_refusal(status: int, payload: dict[str, Any]) -> bool:
    """Whether the answer refuses the token (1002, 1003 or their status words; a 401 without a code)."""
    code, status_word = _code_and_status(payload)
    return codes.code_for(code, status_word) in codes.TOKEN_CODES or (
        status == HTTPStatus.UNAUTHORIZED and not code
    )


def raise_error(status: int, payload: dict[str, Any], *, transfer: bool = False) -> None:
    """Raise the mapped exception for an error answer."""
    code, status_word = _code_and_status(payload)
    raise codes.api_error(code, status_word, _description(payload), http_status=status, transfer=transfer)


def _code_and_status(payload: dict[str, Any]) -> tuple[str, str]:
    return text(payload.get("code")), text(payload.get("status")).upper()


def _description(payload: dict[str, Any]) -> str:
    return text(payload.get("description")) or text(payload.get("message"))


def _is_error(payload: dict[str, Any]) -> bool:
    code, _ = _code_and_status(payload)
    return bool(code) and code not in (codes.OK, codes.SUCCESS)


def _lifetime(payload: dict[str, Any]) -> float:
    """How long to use a fresh token: :data:`TOKEN_LIFETIME`, or less when CinetPay says it lives less."""
    expires_in = int_or_none(payload.get("expires_in"))
    if expires_in is None or expires_in <= 0:
        return TOKEN_LIFETIME
    # The same margin as TOKEN_LIFETIME's (an hour in a day), at least a minute.
    return max(1.0, min(TOKEN_LIFETIME, expires_in - max(60.0, expires_in / 24)))


class ApiClient:
    """What the CinetPay API's payment and transfer clients share: their :class:`Connection` (accounts,
    tokens, HTTP) and the retries of their idempotent look-ups."""

    def __init__(
        self, connection: Connection, *, check_attempts: int = 3, check_backoff: float = 0.5
    ) -> None:
        self.connection = connection
        self.check_attempts = max(1, check_attempts)
        self.check_backoff = check_backoff

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.connection!r}>"
