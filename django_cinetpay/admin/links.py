"""Links between the records staff follow: a payment, its escrow, its payouts, its stored notifications,
the buyer, the seller and the host's order.

A link leads to the linked object's admin page when its model is registered with the same admin site
(the user model usually is; the host's order model may be), and is plain text otherwise.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

from ..formatting import money

#: How many related rows a page lists before it links to the filtered list instead.
SHOWN = 10


def admin_url(site: AdminSite, model: type[Model], view: str, *args: Any) -> str | None:
    """The URL of ``model``'s admin ``view`` (``change``, ``changelist``) on ``site``, or ``None`` when
    ``site`` does not show the model."""
    if not site.is_registered(model):
        return None
    opts = model._meta
    try:
        return reverse(
            f"{site.name}:{opts.app_label}_{opts.model_name}_{view}", args=args, current_app=site.name
        )
    except NoReverseMatch:
        return None


def change_url(site: AdminSite, model: type[Model], pk: Any) -> str | None:
    """The admin page of ``model``'s row ``pk`` on ``site``, or ``None`` when ``site`` does not show it."""
    return admin_url(site, model, "change", quote(pk))


def link(site: AdminSite, obj: Model | None, text: Any = None) -> SafeString | str:
    """``obj`` (or ``text``) linked to its admin page; ``"-"`` for no object."""
    if obj is None:
        return "-"
    url = change_url(site, type(obj), obj.pk)
    label = obj if text is None else text
    return format_html('<a href="{}">{}</a>', url, label) if url else str(label)


def links(site: AdminSite, rows: QuerySet[Any], describe: Any, query: str) -> SafeString | str:
    """Each of ``rows`` (the first :data:`SHOWN`) linked, followed by ``describe(row)``; then, when there
    are more, a link to all of them: their list filtered by ``query``."""
    shown = list(rows[: SHOWN + 1])
    if not shown:
        return "-"
    items = format_html_join(
        "", "<li>{} {}</li>", ((link(site, row), describe(row)) for row in shown[:SHOWN])
    )
    list_url = admin_url(site, rows.model, "changelist")
    more = (
        format_html('<li><a href="{}?{}">{}</a></li>', list_url, query, gettext("All of them"))
        if len(shown) > SHOWN and list_url
        else ""
    )
    return format_html('<ul class="cinetpay-links">{}{}</ul>', items, more)


def order_link(site: AdminSite, content_type_id: int | None, object_id: str) -> SafeString | str:
    """The host's order a payment pays: its admin page when the host registers its model, else its kind
    and id. Costs no query beyond the content type (cached by Django)."""
    if content_type_id is None or not object_id:
        return "-"
    content_type = ContentType.objects.get_for_id(content_type_id)
    model = content_type.model_class()
    kind = capfirst(model._meta.verbose_name) if model is not None else content_type.model
    text = f"{kind} #{object_id}"
    url = change_url(site, model, object_id) if model is not None else None
    return format_html('<a href="{}">{}</a>', url, text) if url else text


def describe_payout(payout: Any) -> str:
    """What a payout's link is followed by: ``(Buyer refund, Pending, 10 000 XOF)``."""
    amount = money(payout.amount, payout.currency)
    return f"({payout.get_kind_display()}, {payout.get_status_display()}, {amount})"
