"""What the two simulated APIs share: the store, the merchant's keys and options, the clock, the way out.

:class:`~.checkout.Checkout` and :class:`~.transfers.Transfers` each take a :class:`Context`, and
:class:`~.simulator.Simulator` builds one and routes requests to them, so dependencies point one way::

    simulator  ->  checkout, transfers  ->  context  ->  faults, messages, notifications, store, records

Nothing here reads settings at import time or does I/O of its own: the face that runs the engine passes the
clock, a ``payment_url`` builder and a ``deliver`` function.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .faults import NOTIFICATION_FAULTS, Fault, FaultRule, delivery_order
from .notifications import Deliver, Delivery, Outbound
from .store import Store

#: CinetPay's dates are Abidjan local time, which is UTC.
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
#: How many notify_url answers a record keeps for display.
DELIVERY_LOG_SIZE = 20


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Account:
    """One country account of the OAuth API: the ``api_key`` and ``api_password`` its login takes."""

    country: str
    api_key: str
    api_password: str = field(repr=False)


def accounts_from(value: Mapping[str, Any] | None) -> tuple[Account, ...]:
    """Accounts from ``{"CI": {"api_key": ..., "api_password": ...}, ...}`` (the SDK's credentials shape).

    Raises ``ValueError`` naming the country whose entry is not such a mapping.
    """
    accounts = []
    for country, entry in (value or {}).items():
        if not isinstance(entry, Mapping) or not entry.get("api_key") or not entry.get("api_password"):
            raise ValueError(f"the account of {country} needs an api_key and an api_password")
        accounts.append(Account(str(country).upper(), str(entry["api_key"]), str(entry["api_password"])))
    return tuple(accounts)


@dataclass(frozen=True)
class Credentials:
    """The merchant's keys, which the simulator checks like CinetPay does (609, 613, 701, 1005).

    ``accounts``: the OAuth API's country accounts (none: every OAuth login is refused).
    """

    api_key: str
    site_id: str
    secret_key: str
    transfer_password: str
    accounts: tuple[Account, ...] = ()

    @classmethod
    def from_settings(cls) -> Credentials:
        """The project's ``CINETPAY_*`` credentials, read now.

        The OAuth accounts are ``CINETPAY_SIMULATOR_ACCOUNTS`` when set, else the project's own
        ``CINETPAY_API_CREDENTIALS``: the simulator takes the keys the project logs in with. The first
        belongs to the simulator app, which the test fake runs without, hence ``getattr``.
        """
        from django_cinetpay.conf import settings

        accounts = getattr(settings, "CINETPAY_SIMULATOR_ACCOUNTS", None) or getattr(
            settings, "CINETPAY_API_CREDENTIALS", None
        )
        return cls(
            api_key=settings.CINETPAY_API_KEY,
            site_id=str(settings.CINETPAY_SITE_ID),
            secret_key=settings.CINETPAY_SECRET_KEY,
            transfer_password=settings.CINETPAY_TRANSFER_PASSWORD,
            accounts=accounts_from(accounts),
        )

    def account(self, api_key: str, api_password: str) -> Account | None:
        """The account these login credentials open, compared in constant time, or ``None``."""
        found = None
        for account in self.accounts:
            key_ok = hmac.compare_digest(account.api_key.encode(), api_key.encode())
            password_ok = hmac.compare_digest(account.api_password.encode(), api_password.encode())
            if key_ok and password_ok:
                found = account
        return found


@dataclass(frozen=True)
class Options:
    """How the simulated account behaves.

    ``transfer_delay``: seconds after which a ``NEW`` transfer becomes ``VAL`` on its own (``None``: only by
    an explicit action). ``timeout_delay``: how long a ``timeout`` fault holds the answer (the app holds
    the HTTP request that long; the fake raises a timeout at once).
    """

    transfer_balance: int = 1_000_000
    transfer_delay: float | None = None
    timeout_delay: float = 31.0
    faults: tuple[FaultRule, ...] = field(default_factory=tuple)


class Context:
    """The simulated account one request (the app) or one test (the fake) works on, over ``store``."""

    def __init__(
        self,
        store: Store,
        credentials: Credentials,
        *,
        payment_url: Callable[[str], str],
        deliver: Deliver,
        options: Options | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.payment_url = payment_url
        self.options = options or Options()
        self.clock = clock
        self._deliver = deliver

    def now_text(self) -> str:
        """The current time as CinetPay writes it."""
        return self.clock().astimezone(dt.timezone.utc).strftime(DATE_FORMAT)

    def api_response_id(self) -> str:
        """CinetPay's ``api_response_id``: a timestamp and a random suffix, e.g. ``1663282635.5036``."""
        return f"{int(self.clock().timestamp())}.{secrets.randbelow(10_000):04d}"

    def take_fault(self, target: str, kinds: Iterable[Fault]) -> FaultRule | None:
        """The first rule for ``target`` among ``kinds``: stored rules (spending one firing), then static."""
        kinds = frozenset(kinds)
        with self.store.atomic():
            for rule in self.store.list_faults():
                if rule.matches(target, kinds):
                    if rule.times is None:
                        return rule
                    if rule.times <= 1:
                        self.store.delete_fault(rule.id)  # type: ignore[arg-type]
                    else:
                        rule.times -= 1
                        self.store.save_fault(rule)
                    return rule
        return next((rule for rule in self.options.faults if rule.matches(target, kinds)), None)

    # --- notifications -----------------------------------------------------------------------------------

    def send(
        self,
        snapshots: list[dict[str, Any]],
        new: int,
        *,
        target: str,
        fault: Fault | None = None,
    ) -> list[Delivery]:
        """Send the ``new`` latest of a record's notification ``snapshots``, bent by a notification fault.

        ``fault`` forces one (the checkout page's choice); otherwise a fault rule for ``target`` may apply.
        Call outside :meth:`Store.atomic`: the merchant's webhook calls back into the simulator.
        """
        if fault is None:
            rule = self.take_fault(target, NOTIFICATION_FAULTS)
            fault = rule.fault if rule else None
        plan = delivery_order(snapshots, new, fault)
        return [self._deliver(Outbound.from_snapshot(snapshot)) for snapshot in plan]

    def delivery_log(self, log: list[dict[str, Any]], deliveries: list[Delivery]) -> list[dict[str, Any]]:
        """``log`` with ``deliveries`` appended, trimmed to the last :data:`DELIVERY_LOG_SIZE`."""
        at = self.now_text()
        added = [{"at": at, "status": d.status, "detail": d.detail[:200]} for d in deliveries]
        return (log + added)[-DELIVERY_LOG_SIZE:]
