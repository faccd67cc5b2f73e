"""Fault injection: make the simulated CinetPay slow, down, or sloppy with its notifications.

A :class:`FaultRule` names a fault, the endpoint (or notification kind) it hits, and how many more times
it fires. Rules come from three places, tried in this order: the ``X-CinetPay-Simulator-Fault`` header of
one request, the stored rules (editable while running), and the static rules given at construction.

What each API fault does to the request, so that ambiguity can be shown rather than claimed:

========================  ============================  ===========================================
fault                     request processed?            what the caller sees
========================  ============================  ===========================================
``latency``               yes                           the normal answer, ``seconds`` late
``timeout``               yes                           no answer in time (the client times out)
``5xx``                   no (a gateway failed)         HTTP 503, plain text
``html``                  no (a proxy's page)           HTTP 200, an HTML maintenance page
``malformed_json``        yes                           the answer's status, truncated JSON
========================  ============================  ===========================================

Notification faults: ``duplicate`` (each notification twice), ``out_of_order`` (the newest first, then the
one before it again), ``lost`` (none sent).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The request header that injects a fault into one request, e.g. ``timeout`` or ``latency=0.2``.
FAULT_HEADER = "X-CinetPay-Simulator-Fault"

#: Targets of notification faults (API faults target an endpoint such as ``payment/check``).
PAYMENT_NOTIFICATION = "notification"
TRANSFER_NOTIFICATION = "transfer-notification"
ANY = "*"


class Fault(str, enum.Enum):
    LATENCY = "latency"
    TIMEOUT = "timeout"
    SERVER_ERROR = "5xx"
    HTML = "html"
    MALFORMED_JSON = "malformed_json"
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out_of_order"
    LOST = "lost"


API_FAULTS = frozenset({Fault.LATENCY, Fault.TIMEOUT, Fault.SERVER_ERROR, Fault.HTML, Fault.MALFORMED_JSON})
NOTIFICATION_FAULTS = frozenset({Fault.DUPLICATE, Fault.OUT_OF_ORDER, Fault.LOST})
#: Faults that stand in for the answer: CinetPay never saw the request.
UNPROCESSED_FAULTS = frozenset({Fault.SERVER_ERROR, Fault.HTML})


@dataclass
class FaultRule:
    """Fire ``fault`` on ``target`` (an endpoint, a notification kind, or ``*``), ``times`` more times.

    ``times=None`` fires until the rule is removed. ``seconds`` is the delay of ``latency`` and, for
    ``timeout``, how long the simulator holds the request (by default just past the client's timeout).
    """

    fault: Fault
    target: str = ANY
    times: int | None = None
    seconds: float | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        self.fault = Fault(self.fault)
        if self.times is not None and self.times < 1:
            raise ValueError("a fault rule fires at least once (times >= 1), or forever (times=None)")
        if self.seconds is not None and self.seconds < 0:
            raise ValueError("fault seconds cannot be negative")

    def matches(self, target: str, kinds: Iterable[Fault]) -> bool:
        return self.fault in kinds and self.target in (ANY, target)

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "fault": self.fault.value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        return cls(
            fault=Fault(data["fault"]),
            target=str(data.get("target") or ANY),
            times=None if data.get("times") in (None, "") else int(data["times"]),
            seconds=None if data.get("seconds") in (None, "") else float(data["seconds"]),
            id=data.get("id"),
        )


def parse_fault(text: str, *, target: str = ANY) -> FaultRule:
    """``"timeout"`` or ``"latency=0.2"`` as a one-shot rule. Raises ``ValueError`` for unknown faults."""
    name, _, seconds = text.strip().partition("=")
    try:
        fault = Fault(name.strip().lower())
    except ValueError:
        known = ", ".join(f.value for f in Fault)
        raise ValueError(f"unknown simulator fault {name!r}; use one of {known}") from None
    return FaultRule(fault, target=target, times=1, seconds=float(seconds) if seconds else None)


def rule_from_setting(value: str | Mapping[str, Any]) -> FaultRule:
    """A static rule from settings: ``"5xx"`` (any endpoint, forever) or a dict of FaultRule fields."""
    if isinstance(value, str):
        return dataclasses.replace(parse_fault(value), times=None)
    return FaultRule.from_dict(value)


def delivery_order(history: list[Any], new: int, fault: Fault | None) -> list[Any]:
    """Which of a record's notifications to send, in order, after ``new`` were added to ``history``."""
    if new <= 0 or fault is Fault.LOST:
        return []
    fresh = history[-new:]
    if fault is Fault.DUPLICATE:
        return [item for item in fresh for _ in range(2)]
    if fault is Fault.OUT_OF_ORDER:
        return list(reversed(history[max(0, len(history) - new - 1) :]))
    return fresh
