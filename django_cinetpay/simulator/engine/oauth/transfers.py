"""``POST /v1/transfer``, ``GET /v1/transfer/{id}`` and ``GET /v1/balances``.

A transfer goes to a number in international form; its operator code must be one of the number's country
(``OM_CI`` for +225…) and its currency the account's. It needs no contact (unlike Transfer v1), draws on the
engine's one transfer balance (2005 INSUFFICIENT_BALANCE past it) and stays ``PENDING`` until it settles,
by the same actions and delay as a v1 transfer, to ``SUCCESS`` or ``FAILED``; then its notify_url gets
the JSON notification with the ``notify_token`` of the answer. A reused ``merchant_transaction_id``, v1's
``client_transaction_id`` included, is 1200 TRANSACTION_EXIST. The simulator charges no fee
(``fee_amount`` ``"0"``).
"""

from __future__ import annotations

import secrets
from typing import Any

from ..context import Account, Context
from ..messages import ApiRequest, Reply
from ..records import Api, Transfer
from ..store import AlreadyExistsError
from ..transfers import Transfers as Accounting
from . import base
from .base import Refusal, answer
from .vocabulary import (
    CURRENCIES,
    ID_LENGTH,
    OPERATORS,
    TRANSFER_CODES,
    TRANSFER_LIMITS,
    URL_LENGTH,
    country_currency,
    split_number,
)

FEE = "0"


class OAuthTransfers:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.accounting = Accounting(context)

    def create(self, request: ApiRequest, account: Account) -> Reply:
        body = base.body_of(request)
        with self.context.store.atomic():
            transfer = self._transfer(body, account)
            if self.context.store.find_transfer(client_transaction_id=transfer.client_transaction_id):
                raise Refusal(1200, f"The transaction {transfer.client_transaction_id} already exists.")
            if transfer.amount > self.accounting.account()["available"]:
                raise Refusal(2005, "Your balance is too low for this transfer.")
            try:
                self.context.store.add_transfer(transfer)
            except AlreadyExistsError:
                raise Refusal(
                    1200, f"The transaction {transfer.client_transaction_id} already exists."
                ) from None
        return self._describe(transfer, notify_token=transfer.notify_token)

    def _transfer(self, body: dict[str, Any], account: Account) -> Transfer:
        currency = base.choice(body, "currency", CURRENCIES)
        if currency != country_currency(account.country):
            raise Refusal(
                1004,
                f"The {account.country} account pays in {country_currency(account.country)}, not {currency}.",
            )
        merchant_id = base.text(body, "merchant_transaction_id", 1, ID_LENGTH)
        phone = str(body.get("phone_number") or "")
        parts = split_number(phone)
        if parts is None:
            raise Refusal(1004, "phone_number must be a number in international form, e.g. +2250707000001.")
        country, prefix, local = parts
        amount = base.amount(body, TRANSFER_LIMITS)
        operator = base.choice(body, "payment_method", OPERATORS)
        if not operator.endswith(f"_{country}"):
            raise Refusal(1004, f"{operator} does not serve {phone[:4]}… numbers ({country}).")
        reason = base.text(body, "reason", 1, 255)
        notify_url = base.url(body, "notify_url", URL_LENGTH)
        now = self.context.clock()
        return Transfer(
            transaction_id=f"TR{now:%y%m%d}{secrets.token_hex(5).upper()}",
            client_transaction_id=merchant_id,
            lot="",
            amount=amount,
            prefix=prefix,
            phone=local,
            notify_url=notify_url,
            created_at=now.isoformat(),
            api=Api.OAUTH.value,
            notify_token=secrets.token_urlsafe(32),
            payment_method=operator,
            currency=currency,
            reason=reason,
        )

    def _describe(self, transfer: Transfer, **extra: Any) -> Reply:
        return answer(
            TRANSFER_CODES[transfer.treatment_status],
            merchant_transaction_id=transfer.client_transaction_id,
            transaction_id=transfer.transaction_id,
            amount=str(transfer.amount),
            fee_amount=FEE,
            phone_number=transfer.receiver,
            currency=transfer.currency,
            payment_method=transfer.payment_method,
            **extra,
        )

    def status(self, identifier: str) -> Reply:
        """A transfer by CinetPay's ``transaction_id`` or the ``merchant_transaction_id``."""
        store = self.context.store
        transfer = store.find_transfer(client_transaction_id=identifier) or store.find_transfer(
            transaction_id=identifier
        )
        if transfer is None or transfer.api != Api.OAUTH.value:
            raise Refusal(404, f"No transfer {identifier}.")
        return self._describe(transfer)

    def balance(self, account: Account) -> Reply:
        available = self.accounting.account()["available"]
        return answer(200, available_balance=str(available), currency=country_currency(account.country))
