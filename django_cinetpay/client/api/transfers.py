"""The CinetPay API's transfers and balance, behind :class:`~..transfer_answers.TransferBackend`.

``POST /v1/transfer`` sends money to a number in international form, naming its operator; ``GET
/v1/transfer/{merchant_transaction_id}`` says where it stands; ``GET /v1/balances`` what the account can
pay. Answers become Transfer v1's objects, with the ``treatment_status`` the services act on: SUCCESS is
``VAL`` (done), FAILED and INSUFFICIENT_BALANCE (final failures) ``REJ``, anything else ``NEW`` (still in
progress: wait and look again, never send again). So the "never pay twice" rules hold unchanged: a send
is never retried (but after a refused token, refused before anything was done), 1200 TRANSACTION_EXIST
is raised like v1's 805 so the payout is looked up, and a look-up that no account knows answers ``None``.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext_noop

from ... import exceptions
from .. import http
from ..parsing import data_of, int_or_none, text
from ..transfer_answers import (
    TREATMENT_NEW,
    TREATMENT_REJECTED,
    TREATMENT_VALIDATED,
    Balance,
    ContactResult,
    Transfer,
    figure,
)
from ..vocabulary import COUNTRIES, region_for_prefix
from . import codes
from .auth import ApiClient, raise_error
from .operators import OPERATORS_BY_COUNTRY, international, operator_for, parse_number

logger = logging.getLogger("django_cinetpay.client")

#: The API's own limits on a transfer (CINETPAY_API.md §8, CinetPay's SDK).
MIN_AMOUNT, MAX_AMOUNT = 500, 1_500_000
MAX_ID_LENGTH = 30
MAX_URL_LENGTH = 120

_DESTINATION_HINT = gettext_noop(
    "Set the payout's destination to a mobile money number of an operator CinetPay pays in its country "
    "(Orange, MTN, Moov …), or pay it by hand from the CinetPay back-office."
)


class ApiTransferClient(ApiClient):
    """Transfers through the CinetPay API. Threads may share it (see :class:`.auth.Connection`)."""

    def get_balance(self, country: str = "") -> Balance:
        """``GET /v1/balances`` of ``country``'s account (the first configured one by default). The API
        gives the available balance only, so ``amount`` is that too and ``in_using`` is 0."""
        country = (
            self.connection.require(country.upper(), "A balance") if country else self.connection.countries[0]
        )

        def call() -> tuple[int, dict[str, Any]]:
            return self.connection.call(country, "GET", "/v1/balances")

        status, payload = http.with_retries(call, attempts=self.check_attempts, backoff=self.check_backoff)
        fields = payload | data_of(payload)
        if status >= 400 or "available_balance" not in fields:
            raise_error(status, payload, transfer=True)
        available = figure(fields.get("available_balance"))
        return Balance(
            amount=available,
            in_using=0,
            available=available,
            raw=payload,
            currency=text(fields.get("currency")).upper() or COUNTRIES[country].currency,
        )

    def add_contact(self, prefix: str, phone: str, name: str, surname: str, email: str) -> ContactResult:
        """Nothing to do: the CinetPay API sends to any number, with no contact list. No request."""
        return ContactResult(
            prefix=text(prefix).lstrip("+"),
            phone=text(phone),
            already_contact=True,
            code="",
            message="The CinetPay API has no contacts: nothing to add.",
        )

    def send_money(
        self, prefix: str, phone: str, amount: int, client_transaction_id: str, notify_url: str
    ) -> Transfer:
        """``POST /v1/transfer``: send ``amount`` to ``prefix`` ``phone``. **Never retried.**

        Refused before any call (code 1004, :func:`.codes.refused_locally`): an amount out of 500 to
        1,500,000, a number that does not parse, a country with no operator code for it. A network error
        propagates: CinetPay may have acted, so the caller looks the transfer up before sending again.
        1200 TRANSACTION_EXIST (the id was sent before) is raised for the same reason.
        """
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValueError("send_money needs a positive integer amount")
        if not 0 < len(client_transaction_id) <= MAX_ID_LENGTH:
            raise ValueError(f"send_money needs a client_transaction_id of 1 to {MAX_ID_LENGTH} characters")
        if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
            raise codes.refused_locally(
                f"The CinetPay API sends transfers of {MIN_AMOUNT} to {MAX_AMOUNT:,} only, not {amount}.",
                transfer=True,
            )
        country, number, operator = self._destination(prefix, phone)
        body = {
            "currency": COUNTRIES[country].currency,
            "merchant_transaction_id": client_transaction_id,
            "phone_number": number,
            "amount": amount,
            "payment_method": operator,
            "reason": f"Transfer {client_transaction_id}",
        }
        if notify_url:
            if len(notify_url) > MAX_URL_LENGTH:
                raise codes.refused_locally(
                    f"notify_url must have at most {MAX_URL_LENGTH} characters.", transfer=True
                )
            body["notify_url"] = notify_url
        logger.info(
            "CinetPay API transfer %s",
            http.redact({k: v for k, v in body.items() if k not in ("notify_url", "reason")}),
        )
        status, payload = self.connection.call(country, "POST", "/v1/transfer", body)
        return read_send_answer(status, payload)

    def check_transfer(self, client_transaction_id: str = "", *, transaction_id: str = "") -> Transfer | None:
        """``GET /v1/transfer/{id}`` by our ``client_transaction_id`` (its ``merchant_transaction_id``) or
        CinetPay's ``transaction_id``. Retried on network errors.

        Each configured country is asked until one knows the transfer; ``None`` when none does (never
        sent), which only a NOT_FOUND from every account says. Any other error raises.
        """
        wanted = client_transaction_id or transaction_id
        if not wanted:
            raise ValueError("check_transfer needs a client_transaction_id or a transaction_id")
        path = f"/v1/transfer/{quote(wanted, safe='')}"
        for country in self.connection.countries:
            status, payload = http.with_retries(
                functools.partial(self.connection.call, country, "GET", path),
                attempts=self.check_attempts,
                backoff=self.check_backoff,
            )
            fields = payload | data_of(payload)
            word = text(fields.get("status")).upper()
            if status < 400 and word in codes.TRANSACTION_STATUSES:
                transfer = parse_transfer(fields)
                if client_transaction_id and transfer.client_transaction_id not in (
                    "",
                    client_transaction_id,
                ):
                    raise exceptions.CinetPayInvalidResponseError(
                        f"CinetPay answered about transfer {transfer.client_transaction_id!r} when asked "
                        f"about {client_transaction_id!r}.",
                        http_status=status,
                    )
                return transfer
            if codes.code_for(text(fields.get("code")), word) != codes.NOT_FOUND:
                raise_error(status, payload, transfer=True)
        return None

    def _destination(self, prefix: str, phone: str) -> tuple[str, str, str]:
        """The country, international number and operator code of a recipient; refuses what has none."""
        from ...utils import mask_phone

        country = region_for_prefix(prefix) or ""
        number = parse_number(text(phone), country) if country else None
        if number is None or region_for_prefix(str(number.country_code)) != country:
            raise codes.refused_locally(
                f"{mask_phone(text(phone))} (+{text(prefix).lstrip('+')}) is not a valid number of a "
                "country CinetPay serves.",
                hint=_DESTINATION_HINT,
                transfer=True,
            )
        operator = operator_for(number, country)
        if not operator:
            raise codes.refused_locally(
                f"Cannot tell the mobile money operator of {mask_phone(international(number))}, and the "
                f"CinetPay API must be told one ({', '.join(OPERATORS_BY_COUNTRY.get(country, ()))}).",
                hint=_DESTINATION_HINT,
                transfer=True,
            )
        self.connection.require(country, f"A transfer to +{number.country_code}")
        return country, international(number), operator


def read_send_answer(status: int, payload: dict[str, Any]) -> Transfer:
    """The transfer a send answer reports; raises its error, 1200 TRANSACTION_EXIST included.

    A final failure without a CinetPay ``transaction_id`` was refused before a transfer existed, so it
    is raised (its code says so) rather than reported as a rejected transfer.
    """
    fields = payload | data_of(payload)
    word = text(fields.get("status")).upper()
    has_id = bool(text(fields.get("transaction_id")))
    if status < 400 and word in codes.TRANSACTION_STATUSES and (has_id or word not in codes.FAILED_STATUSES):
        return parse_transfer(fields)
    if status < 400 and not text(fields.get("code")) and not word:
        raise exceptions.CinetPayInvalidResponseError(
            "CinetPay's transfer answer has no status; look the transfer up by its merchant_transaction_id "
            "before sending again.",
            http_status=status,
        )
    raise_error(status, payload, transfer=True)
    raise AssertionError("unreachable")  # pragma: no cover


def parse_transfer(fields: dict[str, Any]) -> Transfer:
    """A :class:`Transfer` from a send or status answer, with the ``treatment_status`` services act on."""
    word = text(fields.get("status")).upper()
    if word == "SUCCESS":
        treatment = TREATMENT_VALIDATED
    elif word in codes.FAILED_STATUSES:
        treatment = TREATMENT_REJECTED
    else:
        treatment = TREATMENT_NEW
    return Transfer(
        transaction_id=text(fields.get("transaction_id")),
        client_transaction_id=text(fields.get("merchant_transaction_id")),
        amount=int_or_none(fields.get("amount")),
        receiver=text(fields.get("phone_number")),
        treatment_status=treatment,
        sending_status=word,
        comment=text(fields.get("description")),
        operator_transaction_id=text(fields.get("operator_transaction_id")),
        code=codes.code_for(text(fields.get("code")), word),
        message=word,
        raw=fields,
        notify_token=text(fields.get("notify_token")),
        currency=text(fields.get("currency")).upper(),
    )
