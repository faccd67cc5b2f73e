"""Messages never block or break the money: their failures stay theirs."""

from __future__ import annotations

from typing import Any

from django_cinetpay import services
from django_cinetpay.models import Message
from django_cinetpay.states import EscrowStatus, PaymentStatus

from ..escrow.adapter import SellerPhoneAdapter
from ..escrow.conftest import accept, make_payment


class BrokenAdapter(SellerPhoneAdapter):
    def get_message_recipient(self, user: Any, role: str, payment: Any) -> Any:
        raise RuntimeError("profile service down")


def test_a_broken_adapter_loses_the_messages_not_the_payment(buyer, seller, committed, settings, caplog):
    settings.CINETPAY_ADAPTER = "tests.notifications.test_safety.BrokenAdapter"
    payment = committed(lambda: accept(make_payment(buyer, seller)))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.ACCEPTED
    assert payment.escrow.status == EscrowStatus.HELD
    assert not Message.objects.exists()
    assert "The buyer_payment_accepted messages of payment_accepted:" in caplog.text
    assert "profile service down" in caplog.text


def test_a_broken_template_loses_its_message_only(buyer, seller, committed, settings, tmp_path, caplog):
    (tmp_path / "cinetpay" / "sms").mkdir(parents=True)
    (tmp_path / "cinetpay" / "sms" / "seller_payment_received.txt").write_text("{% broken %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    payment = committed(lambda: accept(make_payment(buyer, seller)))
    assert sorted(Message.objects.values_list("kind", "channel")) == [
        ("buyer_payment_accepted", "email"),
        ("buyer_payment_accepted", "sms"),
        # the seller's e-mail went before the broken SMS template was reached
        ("seller_payment_received", "email"),
    ]
    committed(lambda: services.confirm_receipt(payment.escrow, buyer))
    payment.escrow.refresh_from_db()
    assert payment.escrow.status == EscrowStatus.CONFIRMED


def test_a_message_refused_by_the_database_leaves_the_callers_transaction_usable(paid, buyer):
    from django.db import transaction

    from django_cinetpay.messaging.outbox import announce

    with transaction.atomic():
        announce("buyer_payment_accepted", f"payment_accepted:{paid.payment.transaction_id}", paid.payment)
        assert Message.objects.count() == 4  # the same event again: refused by the unique constraint
        services.confirm_receipt(paid, buyer)  # and the transaction goes on
    paid.refresh_from_db()
    assert paid.status == EscrowStatus.CONFIRMED
