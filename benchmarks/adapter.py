"""Sellers of the benchmark are paid on a fixed Côte d'Ivoire number, as a host's adapter would say."""

from __future__ import annotations

from django_cinetpay.adapter import DefaultAdapter, PayoutDestination
from django_cinetpay.models import EscrowTransaction


class BenchAdapter(DefaultAdapter):
    def get_payout_destination(self, escrow: EscrowTransaction) -> PayoutDestination | None:
        return PayoutDestination(prefix="225", phone="0505050505", name="Koffi", surname="Kouassi")
