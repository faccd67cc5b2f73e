"""What a health check finds, and what the command's exit code makes of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(IntEnum):
    """How bad a finding is; a report is as bad as its worst finding."""

    OK = 0
    #: Worth a look, nothing is stuck: an open dispute, no notification received yet.
    WARNING = 1
    #: Something needs a person: money waits and no job will move it alone.
    ALERT = 2
    #: The configuration is wrong (a system check error, credentials CinetPay refuses).
    ERROR = 3

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self])


LEVEL_LABELS = {
    Level.OK: _("OK"),
    Level.WARNING: _("Warning"),
    Level.ALERT: _("Needs a person"),
    Level.ERROR: _("Configuration error"),
}

#: ``cinetpay_health``'s exit code for each level: 0 healthy (warnings are printed, not alerted on),
#: 1 something needs a person, 2 the configuration is wrong.
EXIT_CODES = {Level.OK: 0, Level.WARNING: 0, Level.ALERT: 1, Level.ERROR: 2}


@dataclass(frozen=True)
class Finding:
    """The result of one check: ``check`` is its stable id, ``title``, ``summary`` and ``details`` are for
    people (translated), ``data`` for programs (numbers, ISO dates)."""

    check: str
    title: str
    level: Level
    summary: str
    details: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "title": self.title,
            "level": self.level.name.lower(),
            "summary": self.summary,
            "details": list(self.details),
            "data": self.data,
        }


@dataclass(frozen=True)
class HealthReport:
    """Every finding of one run, in the order the checks ran."""

    findings: tuple[Finding, ...]
    checked_at: dt.datetime

    @property
    def level(self) -> Level:
        return max((f.level for f in self.findings), default=Level.OK)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.level.name.lower(),
            "exit_code": self.exit_code,
            "checked_at": timezone.localtime(self.checked_at).isoformat(),
            "checks": [f.to_dict() for f in self.findings],
        }
