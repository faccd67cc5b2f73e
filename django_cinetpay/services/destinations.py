"""Where a payout goes: the adapter's answer, normalised, and what staff read when there is none.

Pure decisions about destinations; the payout rows themselves change in :mod:`.payouts`.
"""

from __future__ import annotations

from ..adapter import PayoutDestination, get_adapter
from ..models import EscrowTransaction, PayoutRequest
from ..phones import InvalidPhoneNumber, is_normalised, parse_phone
from ..states import PayoutKind
from ..utils import mask_phone


def missing_destination_error(kind: str) -> str:
    """The text staff see on a payout of ``kind`` that has nowhere to go."""
    if kind == PayoutKind.REFUND:
        return (
            "No refund destination: the paying number (or its country prefix) is unknown. Set the "
            "destination on this payout, or override get_refund_destination in CINETPAY_ADAPTER."
        )
    return (
        "No payout destination for the seller. Implement get_payout_destination in your CINETPAY_ADAPTER "
        "(or set the destination on this payout); the payout is sent as soon as one is known."
    )


def resolve_destination(escrow: EscrowTransaction, kind: str) -> PayoutDestination | None:
    """Ask the adapter where a payout of ``kind`` for ``escrow`` goes."""
    adapter = get_adapter()
    if kind == PayoutKind.REFUND:
        return adapter.get_refund_destination(escrow)
    return adapter.get_payout_destination(escrow)


def destination_fields(destination: PayoutDestination) -> dict[str, str]:
    """The payout columns for ``destination``, its number normalised; ``{}`` when it has no number.

    The number is parsed in the country of its prefix (or of the calling code it carries, when the
    prefix is empty), so ``"+225 07 07 07 07 07"`` or ``"2250707070707"`` become prefix ``225`` and
    phone ``0707070707``, never ``225`` + ``2250707070707``. Raises
    :class:`~django_cinetpay.phones.InvalidPhoneNumber` when it is not a valid mobile number there.
    """
    if not (destination.phone or "").strip():
        return {}
    phone = parse_phone(destination.phone, prefix=(destination.prefix or "").strip() or None)
    people = {name: (getattr(destination, name) or "").strip() for name in ("name", "surname", "email")}
    return {"prefix": phone.prefix, "phone": phone.national, **people}


def adapter_destination(escrow: EscrowTransaction, kind: str) -> tuple[dict[str, str], str]:
    """The normalised destination the adapter gives for a payout of ``kind``, else ``{}`` and why.

    A number that does not parse is never stored: the payout waits without a destination, and the
    reason (number masked) tells staff to fix the adapter's data or set the destination by hand.
    """
    destination = resolve_destination(escrow, kind)
    if destination is None:
        return {}, missing_destination_error(kind)
    try:
        fields = destination_fields(destination)
    except InvalidPhoneNumber as exc:
        return {}, (
            f"The destination the adapter gives, {destination.prefix} {mask_phone(destination.phone)}, "
            f"is not a valid mobile number. {exc} Nothing is sent: fix it where CINETPAY_ADAPTER reads "
            "it, or set the destination on this payout."
        )
    return fields, "" if fields else missing_destination_error(kind)


def unusable_destination_error(payout: PayoutRequest) -> str:
    """Why the payout's stored number must get no money, or ``""`` when it may.

    Rows stored before numbers were parsed may hold a number that does not parse, or one carrying its
    calling code (``225`` + ``2250707070707``), which CinetPay would pay to another number.
    """
    if not payout.has_destination or is_normalised(payout.prefix, payout.phone):
        return ""
    return (
        f"The stored destination {payout.prefix} {payout.masked_phone} is not a valid mobile number in the "
        "form CinetPay takes (calling code, then the national number): nothing is sent. Set the "
        "destination again on this payout."
    )
