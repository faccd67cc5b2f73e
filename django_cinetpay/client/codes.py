"""CinetPay's answer codes, what they mean and what to do about them.

The hints follow the seed guide's troubleshooting list: each says what the merchant should check.
They are plain English here, marked with ``gettext_noop`` so makemessages extracts them, and translated
where they are shown to people (views wrap them in gettext); exceptions and logs keep the English text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from .. import exceptions


@dataclass(frozen=True)
class CodeInfo:
    """What a code is called, what to do about it, and which exception carries it."""

    name: str
    hint: str
    error: type[exceptions.CinetPayAPIError] = exceptions.CinetPayAPIError


_AUTH = exceptions.CinetPayAuthError
_VALID = exceptions.CinetPayValidationError
_TRANSFER = exceptions.CinetPayTransferError

#: Checkout API v2 codes (payment init and check). ``code`` is a string in CinetPay's answers.
CHECKOUT_CODES: dict[str, CodeInfo] = {
    "00": CodeInfo("SUCCES", gettext_noop("The payment succeeded.")),
    "201": CodeInfo("CREATED", gettext_noop("The payment was created.")),
    "600": CodeInfo("PAYMENT_FAILED", gettext_noop("The payment failed; the customer may try again.")),
    "602": CodeInfo(
        "INSUFFICIENT_BALANCE", gettext_noop("The customer's balance is too low for this payment.")
    ),
    "604": CodeInfo("OTP_CODE_ERROR", gettext_noop("The customer entered a wrong OTP code.")),
    "608": CodeInfo(
        "MINIMUM_REQUIRED_FIELDS",
        gettext_noop(
            "Check that every required field is filled and correctly named, and that the body is valid JSON."
        ),
        _VALID,
    ),
    "609": CodeInfo(
        "AUTH_NOT_FOUND",
        gettext_noop(
            "Check CINETPAY_API_KEY in your settings and make sure the key is active in your CinetPay "
            "back-office (menu Intégration)."
        ),
        _AUTH,
    ),
    "612": CodeInfo(
        "ERROR_CURRENCY_NOTVALID", gettext_noop("Use a currency your CinetPay account accepts."), _VALID
    ),
    "613": CodeInfo(
        "ERROR_SITE_ID_NOTVALID",
        gettext_noop("Check CINETPAY_SITE_ID in your settings: it must match the account of your API key."),
        _AUTH,
    ),
    "620": CodeInfo(
        "DOUBLE_PAYMENT",
        gettext_noop("This transaction was already paid or its id was already used."),
        _VALID,
    ),
    "623": CodeInfo(
        "WAITING_CUSTOMER_TO_VALIDATE", gettext_noop("The customer has not yet validated the payment.")
    ),
    "624": CodeInfo(
        "PROCESSING_ERROR",
        gettext_noop(
            "Check that CINETPAY_API_KEY is valid, and that lock_phone_number is only used with the "
            "customer's right phone number."
        ),
        _AUTH,
    ),
    "625": CodeInfo(
        "TRANSACTION_EXPIRED", gettext_noop("The payment expired before the customer completed it.")
    ),
    "627": CodeInfo(
        "TRANSACTION_CANCEL", gettext_noop("The customer cancelled or the operator refused the payment.")
    ),
    "641": CodeInfo(
        "ERROR_AMOUNT_TOO_LOW",
        gettext_noop("The amount is below CinetPay's minimum for this currency."),
        _VALID,
    ),
    "642": CodeInfo(
        "ERROR_AMOUNT_TOO_HIGH",
        gettext_noop("The amount is above CinetPay's maximum for this currency."),
        _VALID,
    ),
    "662": CodeInfo("WAITING_CUSTOMER_PAYMENT", gettext_noop("The customer has not paid yet.")),
    "663": CodeInfo(
        "WAITING_CUSTOMER_OTP_CODE", gettext_noop("The customer has not entered the OTP code yet.")
    ),
    "664": CodeInfo(
        "FRAUD_DETECTED", gettext_noop("CinetPay flagged this payment as fraud; contact CinetPay support.")
    ),
    "804": CodeInfo(
        "OPERATOR_UNAVAILABLE", gettext_noop("The mobile money operator is unavailable; try again later.")
    ),
    "429": CodeInfo(
        "TOO_MANY_REQUEST",
        gettext_noop(
            "CinetPay is throttling your account because the activity looks suspicious; slow down and "
            "contact CinetPay support if it persists."
        ),
        exceptions.CinetPayThrottledError,
    ),
    "403": CodeInfo(
        "FORBIDDEN",
        gettext_noop(
            "CinetPay refused the request: send a JSON body, make sure the service is enabled on your "
            "account, and use public (non-localhost) notify and return URLs."
        ),
        _AUTH,
    ),
    "1010": CodeInfo(
        "CDN_BLOCKED",
        gettext_noop("CinetPay's CDN refused a request without a User-Agent header."),
        _AUTH,
    ),
}

#: Transfer API v1 codes. ``code`` is the number 0 on success and a string on errors.
TRANSFER_CODES: dict[str, CodeInfo] = {
    "0": CodeInfo("OPERATION_SUCCES", gettext_noop("The operation succeeded.")),
    "602": CodeInfo(
        "INSUFFICIENT_BALANCE",
        gettext_noop(
            "Your CinetPay transfer balance is too low: top it up in the back-office, then retry the payout."
        ),
        _TRANSFER,
    ),
    "701": CodeInfo(
        "INVALID_CREDENTIALS",
        gettext_noop(
            "Check CINETPAY_API_KEY and CINETPAY_TRANSFER_PASSWORD (the API password set in the back-office)."
        ),
        exceptions.CinetPayAuthError,
    ),
    "702": CodeInfo(
        "COULD_NOT_CREATE_TOKEN",
        gettext_noop("CinetPay could not create a session token; retry later."),
        _TRANSFER,
    ),
    "703": CodeInfo(
        "INVALID_USER",
        gettext_noop("The account behind CINETPAY_API_KEY is not allowed to transfer."),
        exceptions.CinetPayAuthError,
    ),
    "704": CodeInfo("INVALID_PARAM", gettext_noop("A transfer parameter is missing or invalid."), _TRANSFER),
    "705": CodeInfo(
        "EXPIRED_TOKEN",
        gettext_noop("The session token expired; log in again."),
        exceptions.CinetPayTokenExpiredError,
    ),
    "706": CodeInfo(
        "INVALID_TOKEN",
        gettext_noop("The session token is invalid; log in again."),
        exceptions.CinetPayTokenExpiredError,
    ),
    "707": CodeInfo(
        "CANT_REFRESH_TOKEN",
        gettext_noop("The session token could not be refreshed; log in again."),
        _TRANSFER,
    ),
    "708": CodeInfo(
        "NOT_ALLOWED",
        gettext_noop(
            "Transfers are not enabled for this account or this server's IP; contact CinetPay support."
        ),
        exceptions.CinetPayAuthError,
    ),
    "716": CodeInfo(
        "DATA_NOT_VALID", gettext_noop("The transfer data is invalid (phone, prefix or amount)."), _TRANSFER
    ),
    "718": CodeInfo("JSON_PARSE_ERROR", gettext_noop("The transfer data is not valid JSON."), _TRANSFER),
    "719": CodeInfo(
        "AMOUNT_TOO_SMALL", gettext_noop("The transfer amount is below CinetPay's minimum."), _TRANSFER
    ),
    "720": CodeInfo(
        "AMOUNT_TOO_LARGE", gettext_noop("The transfer amount is above CinetPay's maximum."), _TRANSFER
    ),
    "721": CodeInfo(
        "OPERATOR_NOT_AVAILABLE",
        gettext_noop("The recipient's operator is unavailable; retry later."),
        _TRANSFER,
    ),
    "723": CodeInfo("NOT_FOUND", gettext_noop("CinetPay knows no transfer with this id."), _TRANSFER),
    "724": CodeInfo(
        "ERROR_PHONE_NOT_MY_CONTACT",
        gettext_noop("Add the recipient as a contact before sending money."),
        _TRANSFER,
    ),
    "726": CodeInfo(
        "ERROR_PHONE_ALREADY_MY_CONTACT", gettext_noop("The recipient is already a contact."), _TRANSFER
    ),
    "805": CodeInfo(
        "CLIENT_TRANSACTION_ID_EXIST",
        gettext_noop(
            "A transfer with this client_transaction_id already exists: look it up instead of sending again."
        ),
        _TRANSFER,
    ),
}

UNKNOWN_HINT = gettext_noop("See CinetPay's documentation for this code, or contact CinetPay support.")


def checkout_error(
    code: object, message: str = "", description: str = "", *, http_status: int | None = None
) -> exceptions.CinetPayAPIError:
    """Build the exception for a Checkout API error answer."""
    return _build(CHECKOUT_CODES, code, message, description, http_status)


def transfer_error(
    code: object, message: str = "", description: str = "", *, http_status: int | None = None
) -> exceptions.CinetPayAPIError:
    """Build the exception for a Transfer API error answer."""
    return _build(TRANSFER_CODES, code, message, description, http_status)


def _build(
    table: dict[str, CodeInfo], code: object, message: str, description: str, http_status: int | None
) -> exceptions.CinetPayAPIError:
    key = str(code).strip()
    info = table.get(key)
    if info is None:
        return (_TRANSFER if table is TRANSFER_CODES else exceptions.CinetPayAPIError)(
            key, message, description, hint=UNKNOWN_HINT, http_status=http_status
        )
    return info.error(key, message or info.name, description, hint=info.hint, http_status=http_status)


# --- what a Transfer API answer proves about a send ------------------------------------------------

#: CinetPay's answer to a reused ``client_transaction_id``: the transfer exists, so look it up.
CLIENT_TRANSACTION_ID_EXISTS = "805"
#: Send answers that prove CinetPay refused the request *before acting on it* (CINETPAY_API.md §5): no
#: transfer was created, so on a payout's **first** send they mark it ``failed`` and a staff retry (a new
#: id) is safe. Each is a check CinetPay makes before it creates a transfer:
#:
#: * 602 INSUFFICIENT_BALANCE: the balance is checked before the transfer exists;
#: * 704 INVALID_PARAM, 716 DATA_NOT_VALID, 718 JSON_PARSE_ERROR: the request could not be read;
#: * 719 AMOUNT_TOO_SMALL, 720 AMOUNT_TOO_LARGE: the amount is refused up front;
#: * 721 OPERATOR_NOT_AVAILABLE: the operator cannot be reached, so nothing is handed to it;
#: * 724 ERROR_PHONE_NOT_MY_CONTACT: the recipient is not a contact, so there is nowhere to send;
#: * 705 EXPIRED_TOKEN, 706 INVALID_TOKEN (refused again after a fresh login), 708 NOT_ALLOWED: the
#:   request was not authorised, so it was not processed.
#:
#: The CinetPay API's (:data:`API_REFUSED_BEFORE_ACTING`) are checks of the same kind:
#:
#: * 1004 INVALID_PARAMS: the request could not be read (also what the client answers when it refuses a
#:   transfer before sending it: an amount out of limits, a number whose operator it cannot tell);
#: * 1002 INVALID_TOKEN, 1003 EXPIRED_TOKEN (refused again after a fresh login), 1005
#:   INVALID_CREDENTIALS, 2011 NOT_ALLOWED: the request was not authorised;
#: * 2005 INSUFFICIENT_BALANCE, answered as an error: the balance is checked before the transfer exists.
#:
#: Everything else means "we do not know" and makes the payout ``unknown`` (looked up by its
#: ``client_transaction_id`` before anything else): any other code, a code CinetPay has not documented,
#: any answer with an HTTP status >= 500 (a gateway or a crash after CinetPay may have acted), and *any*
#: error on a send that follows an ``unknown`` outcome, because the earlier send may have gone through
#: (a 602 then may well be that transfer using the balance). A payout is never ``failed`` on a doubt.
REFUSED_BEFORE_ACTING = frozenset(
    {"602", "704", "705", "706", "708", "716", "718", "719", "720", "721", "724"}
)
#: The CinetPay API's codes of the same kind (see above); its codes and Transfer v1's never overlap.
API_REFUSED_BEFORE_ACTING = frozenset({"1002", "1003", "1004", "1005", "2005", "2011"})
#: Send refusals that concern the whole account, not one payout: the job stops instead of failing the rest.
ACCOUNT_WIDE_CODES = frozenset({"602", "2005"})
#: Send answers saying a transfer with this id exists already (Transfer API v1's 805, the CinetPay API's
#: 1200 TRANSACTION_EXIST): look it up, never send again.
TRANSACTION_EXISTS_CODES = frozenset({CLIENT_TRANSACTION_ID_EXISTS, "1200"})


def refused_before_acting(error: Exception) -> bool:
    """Whether ``error``, raised by a send, proves CinetPay created no transfer (see
    :data:`REFUSED_BEFORE_ACTING`, :data:`API_REFUSED_BEFORE_ACTING`). Only meaningful for a payout's
    first send."""
    return (
        isinstance(error, exceptions.CinetPayAPIError)
        and error.code in REFUSED_BEFORE_ACTING | API_REFUSED_BEFORE_ACTING
        and (error.http_status or 0) < 500
    )
