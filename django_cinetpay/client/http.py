"""The HTTP layer shared by the Checkout and Transfer clients.

One ``requests.Session`` per client with a default timeout and a User-Agent (CinetPay's CDN answers 1010
without one). Transport failures become exceptions of :mod:`django_cinetpay.exceptions`; nothing here
logs or raises a credential.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

from .. import __version__, exceptions

logger = logging.getLogger("django_cinetpay.client")

USER_AGENT = f"django-cinetpay/{__version__} (+https://pypi.org/project/django-cinetpay/)"

#: Request fields whose values never leave this module in logs or errors.
SECRET_FIELDS = frozenset(
    {"apikey", "password", "token", "secret", "api_key", "api_password", "access_token", "notify_token"}
)

T = TypeVar("T")


def new_session() -> requests.Session:
    """A session with the User-Agent CinetPay requires and JSON accepted."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    return session


def redact(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` safe to log: secrets replaced and phone numbers masked."""
    from ..utils import mask_phone

    safe: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECRET_FIELDS:
            safe[key] = "***"
        elif "phone" in key and value:
            safe[key] = mask_phone(str(value))
        else:
            safe[key] = value
    return safe


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    json_body: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send one request and return ``(http_status, parsed_json)``.

    Raises :class:`~django_cinetpay.exceptions.CinetPayTimeoutError`, ``CinetPayConnectionError``,
    ``CinetPayServerError`` (5xx without a CinetPay JSON envelope) or ``CinetPayInvalidResponseError``
    (HTML, empty or malformed JSON). A 4xx with a JSON body is returned for the caller to map, since
    CinetPay puts its own error codes in it.
    """
    safe_url = url.split("?", 1)[0]
    try:
        response = session.request(
            method, url, json=json_body, data=form, params=params, headers=headers, timeout=timeout
        )
    except requests.Timeout:
        raise exceptions.CinetPayTimeoutError(
            f"CinetPay did not answer {method} {safe_url} within {timeout} s; the outcome is unknown."
        ) from None
    except requests.RequestException as exc:
        raise exceptions.CinetPayConnectionError(
            f"Could not reach CinetPay at {safe_url} ({type(exc).__name__}). Check the network and "
            "the URL settings (CINETPAY_CHECKOUT_API_URL, CINETPAY_TRANSFER_API_URL, CINETPAY_API_URL)."
        ) from None
    status = response.status_code
    try:
        payload = response.json()
    except (ValueError, json.JSONDecodeError):
        payload = None
    logger.debug("CinetPay %s %s -> HTTP %s", method, safe_url, status)
    if isinstance(payload, (dict, list)):
        if status >= 500 and not (isinstance(payload, dict) and "code" in payload):
            raise exceptions.CinetPayServerError(
                f"CinetPay answered HTTP {status} at {safe_url}; try again later.", http_status=status
            )
        return status, payload
    if status >= 500:
        raise exceptions.CinetPayServerError(
            f"CinetPay answered HTTP {status} at {safe_url}; try again later.", http_status=status
        )
    if status in (403, 429):
        # CinetPay's CDN refuses with a page, not JSON: 403 (service not enabled, localhost URLs, or no
        # User-Agent, whose page says "error code: 1010") and 429. Keep the code so the caller maps its hint.
        code = "1010" if "1010" in response.text else str(status)
        return status, {"code": code, "message": response.reason or ""}
    kind = "an HTML page" if "html" in response.headers.get("Content-Type", "").lower() else "malformed JSON"
    raise exceptions.CinetPayInvalidResponseError(
        f"CinetPay answered HTTP {status} with {kind} at {safe_url} instead of JSON.", http_status=status
    )


def with_retries(
    call: Callable[[], T],
    *,
    attempts: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run an *idempotent* ``call``, retrying network errors with exponential backoff and full jitter.

    Only for requests that are safe to repeat (checks, look-ups). CinetPay errors are never retried here.
    """
    for attempt in range(1, attempts):
        try:
            return call()
        except exceptions.CinetPayNetworkError as exc:
            delay = random.uniform(0, backoff * 2 ** (attempt - 1))  # noqa: S311 - jitter, not crypto
            logger.warning(
                "CinetPay call failed (%s); retry %d/%d in %.2f s", exc, attempt, attempts - 1, delay
            )
            sleep(delay)
    return call()
