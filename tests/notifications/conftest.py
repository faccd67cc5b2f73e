"""Fixtures for the messages to buyers and sellers: locmem e-mail and SMS, tasks run after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail

from django_cinetpay import sms
from django_cinetpay.models import EscrowTransaction, Message

from ..escrow.conftest import TASKS_MODULE, accept, make_payment, staff, transfer_api  # noqa: F401 - fixtures shared with the escrow tests

#: The buyer pays from this number (``accept``); the seller is paid on tests.escrow.adapter's.
BUYER_PHONE = "+2250707070707"
SELLER_PHONE = "+2250505050505"


@pytest.fixture(autouse=True)
def _message_settings(settings: Any) -> None:
    """Both channels on, SMS kept in ``sms.outbox`` (e-mail in Django's test outbox), sellers with a payout
    number, tasks run at once."""
    settings.CINETPAY_MESSAGE_CHANNELS = ("email", "sms")
    settings.CINETPAY_ADAPTER = "tests.escrow.adapter.SellerPhoneAdapter"
    settings.CINETPAY_SMS_BACKEND = "django_cinetpay.sms.backends.locmem.SmsBackend"
    settings.CINETPAY_MESSAGE_RETRY_BACKOFF = 60
    settings.TASKS = {"default": {"BACKEND": f"{TASKS_MODULE}.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def sms_outbox() -> Iterator[list[sms.SmsMessage]]:
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def outboxes(mailoutbox: list[Any], sms_outbox: list[sms.SmsMessage]) -> Callable[[], list[tuple[str, str]]]:
    """``outboxes()``: what went out so far, as ``(address, first words)`` pairs, e-mails first."""

    def read() -> list[tuple[str, str]]:
        return [(m.to[0], m.subject) for m in mail.outbox] + [(m.to, m.body) for m in sms.outbox]

    mailoutbox.clear()
    return read


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[Callable[[], Any]], Any]:
    """``committed(action)``: run ``action`` and then its commit's callbacks (signals, then sends)."""

    def run(action: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def paid(db: Any, buyer: Any, seller: Any, committed: Any) -> EscrowTransaction:
    """A held escrow of 10 000 XOF whose acceptance messages were sent, the outboxes then emptied."""
    escrow = committed(lambda: accept(make_payment(buyer, seller))).escrow
    mail.outbox.clear()
    sms.outbox.clear()
    return escrow


def kinds(**filters: Any) -> list[tuple[str, str]]:
    """The messages recorded, as ``(kind, channel)`` in order."""
    return list(Message.objects.filter(**filters).order_by("pk").values_list("kind", "channel"))
