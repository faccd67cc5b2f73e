"""Small helpers with no state."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """A phone number fit for displays and logs: only the last two digits stay visible.

    ``"0707070707"`` → ``"********07"``. Short or empty values are masked entirely.
    """
    digits = (phone or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 2) + digits[-2:]
