"""Every SMS fits one GSM-7 segment in both languages, with the longest amount and a real link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from django_cinetpay.messaging import compose
from django_cinetpay.messaging.kinds import KINDS
from django_cinetpay.models import CinetPayTransaction, EscrowTransaction, PayoutRequest
from django_cinetpay.sms import gsm

LONGEST = 99_999_995  # XOF, more than CinetPay lets one payment carry
REFERENCE = "CP20260101120000ABCDEF123"


def context() -> dict[str, object]:
    payment = CinetPayTransaction(transaction_id=REFERENCE, amount=LONGEST, currency="XOF", description="x")
    escrow = EscrowTransaction(
        payment=payment, amount=LONGEST, currency="XOF", commission=5_000_000, seller_amount=94_999_995
    )
    escrow.release_due_at = timezone.now()
    payout = PayoutRequest(escrow=escrow, amount=94_999_995, currency="XOF")
    return {
        "payment": payment,
        "escrow": escrow,
        "payout": payout,
        "reference": REFERENCE,
        "url": f"https://shop.example.com/payments/{REFERENCE}/confirm/",
        "confirm_at": timezone.now() + dt.timedelta(days=3),
        "released": True,
        "status": "refused",
        "name": "Awa",
    }


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("released", [True, False])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_sms_fits_one_segment(kind: str, released: bool, language: str) -> None:
    body = compose.render(kind, "sms", {**context(), "released": released}, language).body
    assert gsm.is_gsm7(body), body
    assert gsm.length(body) <= 160, (gsm.length(body), body)
    assert REFERENCE in body


def test_folding_keeps_gsm_accents_and_replaces_the_others() -> None:
    assert (
        gsm.fold("Reçu « 15\u202f000\xa0XOF » \N{EN DASH} être à l\N{RIGHT SINGLE QUOTATION MARK}heure")
        == 'Recu " 15 000 XOF " - etre à l\'heure'
    )
    assert gsm.is_gsm7("é è à ù Ç")


def test_segments_count_extended_characters_twice_and_ucs2_at_70() -> None:
    assert gsm.segments("a" * 160) == 1
    assert gsm.segments("a" * 159 + "€") == 2  # € takes two places
    assert gsm.segments("a" * 161) == 2
    assert gsm.segments("✓" * 70) == 1
    assert gsm.segments("✓" * 71) == 2
