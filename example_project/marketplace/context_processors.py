"""Values every page needs: unread chat messages (the notification badge) and the demo accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.http import HttpRequest

from . import demo
from .models import Message


def unread_count(user: Any) -> int:
    """Messages in ``user``'s purchases and sales posted since they last opened that chat, not by them."""
    as_buyer = Q(purchase__buyer=user) & (
        Q(purchase__buyer_read_at__isnull=True) | Q(created_at__gt=F("purchase__buyer_read_at"))
    )
    as_seller = Q(purchase__listing__seller=user) & (
        Q(purchase__seller_read_at__isnull=True) | Q(created_at__gt=F("purchase__seller_read_at"))
    )
    return Message.objects.filter(as_buyer | as_seller).exclude(author=user).count()


def marketplace(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "unread_count": unread_count(user) if user.is_authenticated else 0,
        "demo_accounts": demo.ACCOUNTS if settings.GAMESHOP_SHOW_DEMO_ACCOUNTS else (),
        "uses_simulator": settings.CINETPAY_SIMULATOR,
    }
