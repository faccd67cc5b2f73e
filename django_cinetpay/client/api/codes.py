"""The CinetPay API's numeric codes and transaction statuses, what they mean and what to do about them.

Codes are numbers in its answers (``100``, ``2010``); they are kept as strings here, like Checkout v2's,
so that one ``CinetPayAPIError.code`` field carries either. Hints are plain English marked with
``gettext_noop`` and translated where they are shown, as in :mod:`..codes`.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from ... import exceptions
from ..codes import UNKNOWN_HINT, CodeInfo

SUCCESS = "100"
OK = "200"
NOT_FOUND = "404"
INVALID_TOKEN = "1002"
EXPIRED_TOKEN = "1003"
INVALID_PARAMS = "1004"
INVALID_CREDENTIALS = "1005"
TRANSACTION_EXIST = "1200"
EXPIRED = "2003"

#: The codes that mean "log in again": the JWT was refused before anything was done.
TOKEN_CODES = frozenset({INVALID_TOKEN, EXPIRED_TOKEN})

#: The ``status`` words of a payment or a transfer. CinetPay's SDK names the final ones: SUCCESS,
#: FAILED, TRANSACTION_EXIST and INSUFFICIENT_BALANCE; every other one may still change.
TRANSACTION_STATUSES = frozenset(
    {
        "SUCCESS",
        "FAILED",
        "INITIATED",
        "PENDING",
        "EXPIRED",
        "OTP_ERROR",
        "OTP_EXPIRED",
        "INSUFFICIENT_BALANCE",
        "USER_NOT_FOUND",
        "USER_IS_BLOCKED",
        "NOT_ALLOWED",
    }
)
#: Final failures: the money did not move and never will under this id.
FAILED_STATUSES = frozenset({"FAILED", "INSUFFICIENT_BALANCE"})

_AUTH = exceptions.CinetPayAuthError
_VALID = exceptions.CinetPayValidationError
_TOKEN = exceptions.CinetPayTokenExpiredError

#: Every code CinetPay's SDK documents.
API_CODES: dict[str, CodeInfo] = {
    OK: CodeInfo("OK", gettext_noop("The operation succeeded.")),
    SUCCESS: CodeInfo("SUCCESS", gettext_noop("The transaction succeeded.")),
    "-1": CodeInfo(
        "OPERATION_ERROR",
        gettext_noop(
            "CinetPay could not carry out the operation; try again later, or contact CinetPay support."
        ),
    ),
    NOT_FOUND: CodeInfo(
        "NOT_FOUND",
        gettext_noop(
            "CinetPay knows no transaction with this id under these credentials: check the id, and that the "
            "country's credentials in CINETPAY_API_CREDENTIALS are those of the account that started it."
        ),
    ),
    INVALID_TOKEN: CodeInfo(
        "INVALID_TOKEN",
        gettext_noop("CinetPay refused the login token even after a fresh login; try again later."),
        _TOKEN,
    ),
    EXPIRED_TOKEN: CodeInfo(
        "EXPIRED_TOKEN",
        gettext_noop("The login token expired, and the fresh one was refused too; try again later."),
        _TOKEN,
    ),
    INVALID_PARAMS: CodeInfo(
        "INVALID_PARAMS",
        gettext_noop(
            "A field is missing or invalid (amount, currency, phone number in international form, operator "
            "code, URLs of at most 120 characters): see the description."
        ),
        _VALID,
    ),
    INVALID_CREDENTIALS: CodeInfo(
        "INVALID_CREDENTIALS",
        gettext_noop(
            "Check this country's api_key and api_password in CINETPAY_API_CREDENTIALS (or the "
            "CINETPAY_API_KEY_<COUNTRY> / CINETPAY_API_PASSWORD_<COUNTRY> environment variables): sk_test_ "
            "keys log in to the sandbox only, sk_live_ keys to production only."
        ),
        _AUTH,
    ),
    TRANSACTION_EXIST: CodeInfo(
        "TRANSACTION_EXIST",
        gettext_noop(
            "A transaction with this merchant_transaction_id already exists: look it up instead of sending "
            "it again."
        ),
        _VALID,
    ),
    "2001": CodeInfo(
        "INITIATED", gettext_noop("The transaction is initiated; the customer has not paid yet.")
    ),
    "2002": CodeInfo("PENDING", gettext_noop("The transaction is in progress; check it again later.")),
    EXPIRED: CodeInfo("EXPIRED", gettext_noop("The transaction expired before the customer completed it.")),
    "2004": CodeInfo("OTP_ERROR", gettext_noop("The customer entered a wrong OTP code.")),
    "2005": CodeInfo(
        "INSUFFICIENT_BALANCE",
        gettext_noop(
            "The balance is too low: for a transfer, top up this country's CinetPay account, then retry; "
            "for a payment, the customer's mobile money account lacks the amount."
        ),
    ),
    "2006": CodeInfo(
        "USER_NOT_FOUND",
        gettext_noop("No mobile money account has this number at this operator: check the number."),
    ),
    "2007": CodeInfo(
        "USER_IS_BLOCKED",
        gettext_noop("The mobile money account of this number is blocked; use another number."),
    ),
    "2008": CodeInfo("OTP_EXPIRED", gettext_noop("The customer's OTP code expired.")),
    "2010": CodeInfo("FAILED", gettext_noop("The operator refused the transaction.")),
    "2011": CodeInfo(
        "NOT_ALLOWED",
        gettext_noop(
            "This operation is not enabled on this country's CinetPay account (operator, transfers or "
            "country); contact CinetPay support."
        ),
        _AUTH,
    ),
    # HTTP refusals that come without one of the codes above.
    "403": CodeInfo(
        "FORBIDDEN",
        gettext_noop(
            "CinetPay refused the request: make sure the service is enabled on this country's account."
        ),
        _AUTH,
    ),
    "422": CodeInfo(
        "UNPROCESSABLE", gettext_noop("A field is missing or invalid: see the description."), _VALID
    ),
    "429": CodeInfo(
        "TOO_MANY_REQUESTS",
        gettext_noop(
            "CinetPay is throttling the account; slow down, and contact CinetPay support if it lasts."
        ),
        exceptions.CinetPayThrottledError,
    ),
}

#: What a code's status word is, for answers that carry only one of the two.
_CODE_BY_STATUS = {info.name: code for code, info in API_CODES.items()}


def code_for(code: str, status: str) -> str:
    """The answer's code, or the one its status word stands for when it has none."""
    return code or _CODE_BY_STATUS.get(status, "")


_REFUSED_HINT = gettext_noop(
    "The request was not sent to CinetPay: correct what the description names, then try again."
)


def refused_locally(
    description: str, *, hint: str = _REFUSED_HINT, transfer: bool = False
) -> exceptions.CinetPayAPIError:
    """The error for a request the client refuses before sending it, as the API would (code 1004
    INVALID_PARAMS, no HTTP status): nothing reached CinetPay, so nothing was created."""
    error = exceptions.CinetPayTransferError if transfer else _VALID
    return error(INVALID_PARAMS, "INVALID_PARAMS", description, hint=hint)


def api_error(
    code: str,
    status: str = "",
    description: str = "",
    *,
    http_status: int | None = None,
    transfer: bool = False,
) -> exceptions.CinetPayAPIError:
    """The exception for an error answer. On a transfer, errors that are not about credentials are
    :class:`~django_cinetpay.exceptions.CinetPayTransferError`, as the Transfer API v1's are."""
    key = code_for(code, status) or (str(http_status) if http_status else "unknown")
    info = API_CODES.get(key)
    error: type[exceptions.CinetPayAPIError] = info.error if info else exceptions.CinetPayAPIError
    if transfer and error in (exceptions.CinetPayAPIError, _VALID):
        error = exceptions.CinetPayTransferError
    name = info.name if info else status
    return error(
        key, status or name, description, hint=info.hint if info else UNKNOWN_HINT, http_status=http_status
    )
