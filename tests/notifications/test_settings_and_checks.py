"""Switches per kind and channel, the SMS backends Django-style, and the system checks."""

from __future__ import annotations

import io

import pytest
from django.core import checks

from django_cinetpay import sms
from django_cinetpay.checks import check_messages
from django_cinetpay.exceptions import CinetPayConfigurationError
from django_cinetpay.models import Message
from django_cinetpay.sms import SmsMessage, get_connection

from ..escrow.conftest import accept, make_payment
from .conftest import kinds


def test_a_kind_switched_off_on_one_channel(buyer, seller, committed, settings, sms_outbox):
    settings.CINETPAY_MESSAGES = {"buyer_payment_accepted": ("email",), "seller_payment_received": ()}
    committed(lambda: accept(make_payment(buyer, seller)))
    assert kinds() == [("buyer_payment_accepted", "email")]
    assert sms_outbox == []


def test_every_message_off(buyer, seller, committed, settings, mailoutbox):
    settings.CINETPAY_MESSAGE_CHANNELS = ()
    committed(lambda: accept(make_payment(buyer, seller)))
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_no_sms_backend_in_production_means_no_sms_and_console_in_debug(buyer, seller, committed, settings):
    settings.CINETPAY_SMS_BACKEND = None
    committed(lambda: accept(make_payment(buyer, seller)))
    assert {channel for _, channel in kinds()} == {"email"}
    settings.DEBUG = True
    assert sms.backend_path() == "django_cinetpay.sms.backends.console.SmsBackend"


def test_a_recipient_without_a_number_gets_email_only(buyer, seller, committed):
    committed(lambda: accept(make_payment(buyer, seller), phone=""))
    assert kinds(recipient=buyer) == [("buyer_payment_accepted", "email")]


def test_console_and_dummy_backends():
    stream = io.StringIO()
    console = get_connection("django_cinetpay.sms.backends.console.SmsBackend", stream=stream)
    with console:
        assert console.send_messages([SmsMessage("+2250707070707", "Bonjour", sender="GAMESHOP")]) == 1
    assert stream.getvalue().startswith("SMS to +2250707070707 from GAMESHOP\nBonjour\n")
    assert (
        get_connection("django_cinetpay.sms.backends.dummy.SmsBackend").send_messages([SmsMessage("+1", "x")])
        == 1
    )
    with pytest.raises(CinetPayConfigurationError, match="cannot be imported"):
        get_connection("django_cinetpay.sms.backends.nowhere.SmsBackend")


def ids(settings_overrides, settings) -> list[str]:
    for name, value in settings_overrides.items():
        setattr(settings, name, value)
    return [message.id for message in check_messages()]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        ({"CINETPAY_SMS_BACKEND": "django_cinetpay.sms.backends.nowhere.SmsBackend"}, ["cinetpay.E031"]),
        ({"CINETPAY_SMS_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, ["cinetpay.E031"]),
        ({"CINETPAY_SMS_BACKEND": None}, []),  # no SMS, which is no mistake
        ({"CINETPAY_MESSAGES": {"buyer_payment_acepted": ("email",)}}, ["cinetpay.E030"]),
        ({"CINETPAY_MESSAGES": {"buyer_payment_accepted": ("whatsapp",)}}, ["cinetpay.E030"]),
        ({"CINETPAY_MESSAGE_MAX_ATTEMPTS": 0}, ["cinetpay.E032"]),
    ],
)
def test_system_checks(overrides, expected, settings):
    assert ids(overrides, settings) == expected


def test_the_checks_are_registered_with_hints(settings):
    settings.CINETPAY_SMS_BACKEND = "nowhere.SmsBackend"
    found = [m for m in checks.run_checks(tags=["cinetpay"]) if m.id == "cinetpay.E031"]
    assert found
    assert "SmsBackend" in found[0].hint
