"""A project overrides the message templates the Django way: its own templates come first."""

from __future__ import annotations

from django.core import mail

from django_cinetpay import sms

from ..escrow.conftest import accept, make_payment


def test_project_templates_replace_the_package_ones(buyer, seller, committed, settings, tmp_path, sms_outbox):
    (tmp_path / "cinetpay" / "email").mkdir(parents=True)
    (tmp_path / "cinetpay" / "sms").mkdir()
    (tmp_path / "cinetpay" / "email" / "buyer_payment_accepted_subject.txt").write_text(
        "GameShop: paid {{ reference }}"
    )
    (tmp_path / "cinetpay" / "email" / "layout.html").write_text(
        "<p>{{ text }}</p><a href='{{ url }}'>GameShop</a>"
    )
    (tmp_path / "cinetpay" / "sms" / "buyer_payment_accepted.txt").write_text(
        "{% load cinetpay %}GameShop: {{ payment.amount|money:payment.currency }} recu ({{ reference }})"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    payment = committed(lambda: accept(make_payment(buyer, seller)))

    email = mail.outbox[0]
    assert email.subject == f"GameShop: paid {payment.transaction_id}"
    assert "We received your payment of" in email.body  # the package's words, not overridden
    assert email.alternatives[0][0].startswith("<p>We received your payment of")
    assert sms.outbox[0].body == f"GameShop: 10,000 XOF recu ({payment.transaction_id})"


def test_a_kind_gets_its_own_html_when_the_project_adds_one(buyer, seller, committed, settings, tmp_path):
    (tmp_path / "cinetpay" / "email").mkdir(parents=True)
    (tmp_path / "cinetpay" / "email" / "seller_payment_received.html").write_text("<h1>{{ subject }}</h1>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    committed(lambda: accept(make_payment(buyer, seller)))
    seller_mail = next(m for m in mail.outbox if m.to == ["koffi@example.com"])
    buyer_mail = next(m for m in mail.outbox if m.to == ["awa@example.com"])
    assert seller_mail.alternatives[0][0] == "<h1>Sold: “Compte Free Fire”, deliver now</h1>"
    assert "<!DOCTYPE html>" in buyer_mail.alternatives[0][0]
