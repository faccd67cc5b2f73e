"""The simulator's state, so that it survives across requests, threads and processes.

Each record is the engine's dataclass as JSON (``record``), with the keys it is looked up by as columns.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .engine import Fault
from .engine.faults import ANY


class SimulatedPayment(models.Model):
    token = models.CharField(max_length=64, unique=True)
    transaction_id = models.CharField(max_length=255, unique=True)
    state = models.CharField(max_length=16)
    record = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("simulated payment")

    def __str__(self) -> str:
        return f"{self.transaction_id} ({self.state})"


class SimulatedTransfer(models.Model):
    client_transaction_id = models.CharField(max_length=255, unique=True)
    transaction_id = models.CharField(max_length=64, unique=True)
    treatment_status = models.CharField(max_length=3)
    record = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("simulated transfer")

    def __str__(self) -> str:
        return f"{self.client_transaction_id} ({self.treatment_status})"


class SimulatedContact(models.Model):
    prefix = models.CharField(max_length=5)
    phone = models.CharField(max_length=20)
    name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "phone"], name="cinetpay_simulator_contact_unique")
        ]
        verbose_name = _("simulated contact")

    def __str__(self) -> str:
        return f"+{self.prefix} {self.phone}"


class SimulatedSession(models.Model):
    """A Transfer API token. ``issued_at`` is a POSIX timestamp, so ``USE_TZ`` does not matter."""

    token = models.CharField(max_length=64, unique=True)
    issued_at = models.FloatField()

    class Meta:
        verbose_name = _("simulated transfer session")

    def __str__(self) -> str:
        return self.token[:8]


class SimulatedFault(models.Model):
    """A fault rule added from the simulator page."""

    fault = models.CharField(max_length=16, choices=[(f.value, f.value) for f in Fault])
    target = models.CharField(max_length=64, default=ANY)
    times = models.PositiveIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("simulated fault")

    def __str__(self) -> str:
        return f"{self.fault} on {self.target}"
