"""An in-process CinetPay: the simulator's engine behind ``responses``, with helpers for tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.http import HttpResponse
from django.test import Client

try:
    import responses
except ImportError as exc:  # a test-time dependency, absent from production installs
    raise ImportError(
        "CinetPayFake needs the 'responses' package, a test-time dependency. Install it with "
        "pip install 'django-cinetpay[testing]' (or pip install responses)."
    ) from exc

from ..simulator.engine import (
    Api,
    Credentials,
    Delivery,
    Fault,
    FaultRule,
    MemoryStore,
    Options,
    Outbound,
    Outcome,
    Payment,
    Simulator,
    Transfer,
    TreatmentStatus,
    accounts_from,
    payment_methods,
)
from ..simulator.engine.simulator import utc_now
from .notifications import post_notification
from .transport import intercept

#: What the customer pays with when a helper is not told (Checkout v2; on the OAuth API, the first
#: operator of the account's country, e.g. ``OM_CI``).
DEFAULT_METHOD = "OM"
DEFAULT_PHONE = "0707070707"
#: Where payment URLs of the fake point. Nothing answers there: tests drive the customer with helpers.
CHECKOUT_PAGE_URL = "https://checkout.cinetpay.test/payment/"
#: The OAuth API's hosts: sandbox (``sk_test_`` keys) and production (``sk_live_``).
OAUTH_API_URLS = ("https://api.cinetpay.net", "https://api.cinetpay.co")


def _transaction_id(transaction: Any) -> str:
    return transaction if isinstance(transaction, str) else transaction.transaction_id


def _client_transaction_id(transfer: Any) -> str:
    return transfer if isinstance(transfer, str) else transfer.client_transaction_id


class CinetPayFake:
    """CinetPay's APIs for the duration of a test, state in memory: Checkout v2, Transfer v1 and the OAuth
    API, over one account (one balance, one set of faults).

    While started, every request the package's clients send to ``CINETPAY_CHECKOUT_API_URL``,
    ``CINETPAY_TRANSFER_API_URL`` or ``CINETPAY_API_URL`` (read at :meth:`start`), or under
    ``oauth_api_urls`` (the OAuth API's sandbox and production hosts by default), is answered by the
    simulator's engine, which checks the project's credentials like CinetPay. Any other HTTP request fails
    (``responses``); add routes to :attr:`mock` if a test needs them.

    ``accounts``: the OAuth API's country accounts, ``{"CI": {"api_key": ..., "api_password": ...}}``
    (default: ``CINETPAY_SIMULATOR_ACCOUNTS``, else ``CINETPAY_API_CREDENTIALS``, read at each request).
    ``client``: the Django test client notifications are posted with (a fresh one by default).
    ``transfer_delay``: seconds after which transfers settle on their own (``None``: only by
    :meth:`validate_transfer`). ``sleep``: how ``latency`` faults wait.
    """

    def __init__(
        self,
        *,
        transfer_balance: int = 1_000_000,
        transfer_delay: float | None = None,
        faults: Iterable[FaultRule] = (),
        client: Client | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        accounts: Mapping[str, Mapping[str, str]] | None = None,
        oauth_api_urls: Iterable[str] = OAUTH_API_URLS,
    ) -> None:
        self.store = MemoryStore()
        self.accounts = None if accounts is None else accounts_from(accounts)
        self.oauth_api_urls = tuple(oauth_api_urls)
        self.options = Options(
            transfer_balance=transfer_balance,
            transfer_delay=transfer_delay,
            timeout_delay=0.0,
            faults=tuple(faults),
        )
        self.client = client
        self._clock = clock
        self._offset = dt.timedelta(0)
        self._sleep = sleep
        self._mock: responses.RequestsMock | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> CinetPayFake:
        """Intercept the clients' HTTP. Reads the API URLs from the settings now.

        The shared clients are dropped first: one kept from before would bring a login token this fake
        never issued, and an extra login to a test's request log.
        """
        from django_cinetpay.client import clear_clients
        from django_cinetpay.conf import settings

        if self._mock is not None:
            raise RuntimeError("this CinetPayFake is already started")
        oauth_urls = {*self.oauth_api_urls, getattr(settings, "CINETPAY_API_URL", "")} - {""}
        mock = intercept(
            [
                (settings.CINETPAY_CHECKOUT_API_URL, Simulator.handle_checkout),
                (settings.CINETPAY_TRANSFER_API_URL, Simulator.handle_transfer),
                *((url, Simulator.handle_oauth) for url in sorted(oauth_urls)),
            ],
            lambda: self.simulator,
            self._sleep,
        )
        clear_clients()
        mock.start()
        self._mock = mock
        return self

    def stop(self) -> None:
        """Stop intercepting. Safe to call twice."""
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None

    def __enter__(self) -> CinetPayFake:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def mock(self) -> responses.RequestsMock:
        """The active ``responses`` mock: its ``calls`` list every request the clients sent."""
        if self._mock is None:
            raise RuntimeError("start the CinetPayFake first")
        return self._mock

    # --- the engine --------------------------------------------------------------------------------------

    @property
    def simulator(self) -> Simulator:
        """The engine over this fake's state, with the credentials of the settings as they are now."""
        credentials = Credentials.from_settings()
        if self.accounts is not None:
            credentials = dataclasses.replace(credentials, accounts=self.accounts)
        return Simulator(
            self.store,
            credentials,
            payment_url=lambda token: CHECKOUT_PAGE_URL + token,
            deliver=self._deliver,
            options=self.options,
            clock=self.now,
        )

    def now(self) -> dt.datetime:
        """The fake's clock: the given clock, moved by :meth:`advance`."""
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward, e.g. past a Transfer v1 token's 5 minutes or an OAuth one's 24 h."""
        self._offset += dt.timedelta(seconds=seconds)

    def expire_tokens(self) -> None:
        """Every login token issued so far expires: the next call answers 705 (Transfer v1) or 1003
        EXPIRED_TOKEN (OAuth API), and the client must log in again."""
        self.store.expire_sessions()

    def _deliver(self, outbound: Outbound) -> Delivery:
        response = post_notification(outbound, self.client)
        body = response.content if isinstance(response, HttpResponse) else b""
        return Delivery(response.status_code, body.decode("utf-8", errors="replace")[:200])

    # --- payments ----------------------------------------------------------------------------------------

    @property
    def payments(self) -> list[Payment]:
        """Every payment initialised with the fake, newest first."""
        return self.store.list_payments()

    def payment(self, transaction: Any) -> Payment:
        """The fake's record of a payment (a ``CinetPayTransaction`` or the merchant's transaction id);
        for the OAuth API, its ``notify_token`` and ``reference`` (CinetPay's ``transaction_id``)."""
        return self.simulator.checkout.find(transaction_id=_transaction_id(transaction))

    def _act(
        self, transaction: Any, outcome: Outcome, notification: Fault | None, **choice: str
    ) -> list[Delivery]:
        sim = self.simulator
        payment = sim.checkout.find(transaction_id=_transaction_id(transaction))
        if outcome is not Outcome.CANCEL:
            # Like the checkout page: what the customer chose while pending stays chosen.
            default = DEFAULT_METHOD if payment.api == Api.CHECKOUT_V2.value else payment_methods(payment)[0]
            choice["method"] = choice["method"] or payment.payment_method or default
            choice["phone"] = choice["phone"] or payment.phone_number or DEFAULT_PHONE
        return sim.checkout.act(payment, outcome, notification=notification, **choice)

    def pay(
        self,
        transaction: Any,
        *,
        method: str = "",
        phone: str = "",
        prefix: str = "",
        notification: Fault | None = None,
    ) -> list[Delivery]:
        """The customer pays with ``method`` (default: the one chosen while pending, else Orange Money:
        ``OM``, or on the OAuth API the country's first operator, ``OM_CI``).

        CinetPay's notification is posted to the payment's notify_url (a signed form for Checkout v2, the
        JSON document with the ``notify_token`` for the OAuth API); returns what the webhook answered.
        ``notification`` bends the delivery: ``Fault.DUPLICATE``, ``Fault.OUT_OF_ORDER`` or ``Fault.LOST``.
        """
        return self._act(transaction, Outcome.PAY, notification, method=method, phone=phone, prefix=prefix)

    def refuse(
        self, transaction: Any, *, method: str = "", phone: str = "", notification: Fault | None = None
    ) -> list[Delivery]:
        """The operator refuses the payment (on Checkout v2 the customer may still pay later on the same
        checkout; on the OAuth API the payment is ``FAILED``, final)."""
        return self._act(transaction, Outcome.REFUSE, notification, method=method, phone=phone)

    def cancel(self, transaction: Any, *, notification: Fault | None = None) -> list[Delivery]:
        """The customer leaves the checkout."""
        return self._act(transaction, Outcome.CANCEL, notification)

    def wait(
        self,
        transaction: Any,
        *,
        method: str = "",
        phone: str = "",
        notification: Fault | None = None,
    ) -> list[Delivery]:
        """The customer chose a push operator and has not confirmed yet (``WAITING_FOR_CUSTOMER``; OAuth
        ``PENDING``, which sends no notification)."""
        return self._act(transaction, Outcome.WAIT, notification, method=method, phone=phone)

    def notify(self, transaction: Any, *, notification: Fault | None = None) -> list[Delivery]:
        """Deliver the payment's latest notification again, as CinetPay may."""
        sim = self.simulator
        return sim.checkout.resend(
            sim.checkout.find(transaction_id=_transaction_id(transaction)), notification=notification
        )

    # --- transfers ---------------------------------------------------------------------------------------

    @property
    def transfers(self) -> list[Transfer]:
        """Every transfer sent to the fake, newest first."""
        return self.store.list_transfers()

    def transfer(self, transfer: Any) -> Transfer:
        """The fake's record of a transfer (by ``client_transaction_id``, or anything that has one)."""
        return self.simulator.transfers.find(client_transaction_id=_client_transaction_id(transfer))

    def validate_transfer(self, transfer: Any, *, notification: Fault | None = None) -> list[Delivery]:
        """CinetPay completes the transfer (``VAL``; OAuth ``SUCCESS``) and notifies its notify_url."""
        return self.simulator.transfers.settle(
            self.transfer(transfer), TreatmentStatus.VAL, notification=notification
        )

    def reject_transfer(
        self, transfer: Any, *, comment: str = "", notification: Fault | None = None
    ) -> list[Delivery]:
        """CinetPay rejects the transfer (``REJ``; OAuth ``FAILED``) and notifies its notify_url."""
        return self.simulator.transfers.settle(
            self.transfer(transfer), TreatmentStatus.REJ, comment=comment, notification=notification
        )

    def notify_transfer(self, transfer: Any, *, notification: Fault | None = None) -> list[Delivery]:
        """Deliver the transfer's latest notification again."""
        return self.simulator.transfers.resend(self.transfer(transfer), notification=notification)

    @property
    def balance(self) -> dict[str, int]:
        """The transfer account as ``GET transfer/check/balance`` reports it (the OAuth API's
        ``available_balance`` is its ``available``)."""
        return self.simulator.transfers.account()

    # --- faults ------------------------------------------------------------------------------------------

    def fail(
        self, fault: Fault | str, target: str = "*", *, times: int | None = 1, seconds: float | None = None
    ) -> FaultRule:
        """Inject a fault: on an endpoint (``payment``, ``payment/check``, ``auth/login``, ``transfer/...``;
        OAuth: ``v1/oauth/login``, ``v1/payment``, ``v1/payment/{id}``, ``v1/transfer``, ``v1/transfer/{id}``,
        ``v1/balances``), on notifications (``notification``, ``transfer-notification``), or ``*``;
        ``times=None`` for good.
        """
        return self.store.add_fault(FaultRule(Fault(fault), target=target, times=times, seconds=seconds))

    def clear_faults(self) -> None:
        for rule in self.store.list_faults():
            self.store.delete_fault(rule.id)  # type: ignore[arg-type]
