"""The public surface is deliberate: a name added to or removed from it by accident fails here.

When a change is meant, update the list below, the README's *Public API* section and the CHANGELOG.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from django_cinetpay import exceptions, services, signals

README = Path(__file__).resolve().parents[2] / "README.md"

#: Each public service and its parameters: name, then "P" (positional) or "K" (keyword-only).
SERVICES: dict[str, list[tuple[str, str]]] = {
    "create_payment": [
        ("buyer", "K"),
        ("seller", "K"),
        ("amount", "K"),
        ("description", "K"),
        ("currency", "K"),
        ("order", "K"),
        ("channels", "K"),
        ("metadata", "K"),
        ("commission_rate", "K"),
        ("lang", "K"),
        ("customer", "VAR_KEYWORD"),
    ],
    "validate_payment": [
        (n, "K") for n in ("buyer", "seller", "amount", "currency", "description", "channels")
    ],
    "validate_amount": [("amount", "P"), ("currency", "P")],
    "validate_description": [("description", "P")],
    "start_checkout": [("tx", "P"), ("customer", "K"), ("channels", "K"), ("actor", "K"), ("client", "K")],
    "refresh_payment": [
        ("tx", "P"),
        ("actor", "K"),
        ("client", "K"),
        ("payer_phone", "K"),
        ("payer_phone_prefix", "K"),
        ("known_to_cinetpay", "K"),
    ],
    "confirm_receipt": [("escrow", "P"), ("user", "P")],
    "open_dispute": [("escrow", "P"), ("user", "P"), ("reason", "P")],
    "resolve_dispute": [("escrow", "P"), ("user", "P"), ("outcome", "P"), ("note", "P")],
    "refund_escrow": [("escrow", "P"), ("user", "P"), ("reason", "P")],
    "release_due_escrows": [("limit", "K"), ("actor", "K")],
    "retry_payout": [("payout", "P"), ("user", "P"), ("reason", "K"), ("client", "K")],
    "set_destination": [("payout", "P"), ("user", "P"), ("destination", "P")],
    "refresh_payout": [("payout", "P"), ("actor", "K"), ("client", "K")],
    "process_payout": [("payout", "P"), ("client", "K"), ("actor", "K")],
    "process_payouts": [("client", "K"), ("limit", "K"), ("actor", "K")],
    "reprocess": [("notification", "P"), ("client", "K"), ("transfer_client", "K"), ("actor", "K")],
    "recheck_payments": [("older_than", "K"), ("limit", "K"), ("actor", "K")],
    "find_discrepancies": [],
    "history": [("obj", "P")],
}
#: The result types and helpers the services hand out or take.
TYPES = {
    "Actor",
    "BatchReport",
    "CheckOutcome",
    "Discrepancy",
    "NotificationResult",
    "Outcome",
    "RecheckReport",
    "ReleaseReport",
    "Step",
    "StepResult",
}
KINDS = {"P": inspect.Parameter.POSITIONAL_OR_KEYWORD, "K": inspect.Parameter.KEYWORD_ONLY}


def test_the_public_services_are_exactly_these() -> None:
    assert sorted(services.__all__) == sorted([*SERVICES, *TYPES])
    for name in services.__all__:
        assert hasattr(services, name), name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_follows_the_calling_convention(name: str) -> None:
    """The object first, then the user for a person's action, then what it needs; options keyword-only."""
    parameters = inspect.signature(getattr(services, name)).parameters.values()
    seen = [(p.name, p.kind) for p in parameters]
    expected = [(n, KINDS[k] if k in KINDS else getattr(inspect.Parameter, k)) for n, k in SERVICES[name]]
    assert seen == expected


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_says_what_it_raises_or_returns(name: str) -> None:
    doc = inspect.getdoc(getattr(services, name)) or ""
    assert len(doc) > 40, f"{name} needs a docstring that says why"


def test_the_readme_lists_exactly_the_public_services() -> None:
    section = README.read_text().split("## Public API", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`services\.(\w+)", section))
    assert listed == set(services.__all__)


def test_every_exception_derives_from_the_one_base_or_is_a_configuration_error() -> None:
    classes = [
        c for _, c in inspect.getmembers(exceptions, inspect.isclass) if c.__module__ == exceptions.__name__
    ]
    assert classes
    for cls in classes:
        assert issubclass(cls, (exceptions.CinetPayError, exceptions.CinetPayConfigurationError)), cls


def test_every_signal_is_documented_with_its_arguments() -> None:
    source = inspect.getsource(signals)
    names = [name for name, value in vars(signals).items() if isinstance(value, signals.Signal)]
    assert sorted(names) == sorted(
        [
            "payment_accepted",
            "payment_refused",
            "payment_duplicated",
            "escrow_confirmed",
            "escrow_released",
            "escrow_disputed",
            "escrow_refunded",
            "payout_completed",
            "payout_failed",
        ]
    )
    for name in names:
        comment = source.split(f"\n{name} = Signal()")[0].rsplit("\n\n", 1)[-1]
        assert comment.startswith("#:"), name
        assert "Arguments:" in comment, name
