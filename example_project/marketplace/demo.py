"""The demo's games, accounts and listings, loaded by ``manage.py load_demo_data``.

The accounts' passwords are public on purpose (home page and README): this data is for a local demo.
Loading is idempotent: rows are found by natural keys and created only when missing, so re-running never
duplicates anything nor resets a password someone changed. A demo listing that was sold is put on sale
again as a new listing (the sold one keeps its purchase), so every run of the demo has all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Game, Listing, Profile


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str  # "buyer", "seller" or "staff"
    phone: str = ""


#: Shown on the home page when GAMESHOP_SHOW_DEMO_ACCOUNTS is on.
ACCOUNTS = (
    DemoAccount("awa", "awa-demo-2024", "Awa", "Koné", "buyer", phone="0707070707"),
    DemoAccount("koffi", "koffi-demo-2024", "Koffi", "Yao", "seller", phone="0505050505"),
    DemoAccount("admin", "admin-demo-2024", "Équipe", "GameShop", "staff"),
)
#: Côte d'Ivoire: the demo's mobile money numbers are Ivorian.
PHONE_PREFIX = "225"

GAMES = (
    ("Free Fire", "free-fire", "Android / iOS", "#f97316"),
    ("EA Sports FC 25", "ea-fc-25", "PS5 / PC", "#16a34a"),
    ("Call of Duty: Mobile", "cod-mobile", "Android / iOS", "#475569"),
    ("Clash of Clans", "clash-of-clans", "Android / iOS", "#ca8a04"),
    ("Fortnite", "fortnite", "PC / Consoles", "#7c3aed"),
)

#: (game slug, kind, title, description, price in XOF)
LISTINGS = (
    (
        "free-fire",
        Listing.Kind.ACCOUNT,
        "Compte Free Fire niveau 72, 48 skins",
        "Compte lié à un e-mail neuf que je vous transmets. 48 skins dont 6 légendaires, "
        "élite pass saison 3 et 4. Rang Heroic.",
        15000,
    ),
    (
        "free-fire",
        Listing.Kind.ITEM,
        "5 600 diamants Free Fire",
        "Recharge directe sur votre ID joueur, livrée en moins de 30 minutes.",
        25000,
    ),
    (
        "ea-fc-25",
        Listing.Kind.ACCOUNT,
        "Équipe Ultimate Team 2,1 M crédits",
        "Équipe 88 de moyenne, Mbappé et Vinícius Jr, 2,1 millions de crédits. "
        "Compte PSN transféré avec son e-mail.",
        45000,
    ),
    (
        "cod-mobile",
        Listing.Kind.ACCOUNT,
        "Compte CODM Légendaire, 12 armes mythiques",
        "Rang Légendaire en multijoueur et Battle Royale, 12 armes mythiques, 30 personnages.",
        35000,
    ),
    (
        "clash-of-clans",
        Listing.Kind.ACCOUNT,
        "Village HDV 15 max, héros 80+",
        "Hôtel de ville 15 entièrement amélioré, héros au-dessus du niveau 80, 2 600 gemmes.",
        20000,
    ),
    (
        "fortnite",
        Listing.Kind.ITEM,
        "Carte cadeau 2 800 V-Bucks",
        "Code d'échange officiel, envoyé dans le chat après le paiement.",
        12500,
    ),
)


def _account(spec: DemoAccount) -> tuple[Any, bool]:
    user, created = get_user_model().objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@gameshop.example",
            "is_staff": spec.role == "staff",
            "is_superuser": spec.role == "staff",
        },
    )
    if created:
        user.set_password(spec.password)
        user.save(update_fields=["password"])
    if spec.role == "staff" and not (user.is_staff and user.is_superuser):
        # The staff account sees all of the staff side (the admin, the money actions, the reports
        # dashboard behind cinetpay.view_reports): a superuser holds every permission, present and future.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if spec.phone:
        Profile.objects.get_or_create(user=user, defaults={"phone_prefix": PHONE_PREFIX, "phone": spec.phone})
    return user, created


@transaction.atomic
def load() -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were created."""
    created = {"accounts": 0, "games": 0, "listings": 0}
    users = {}
    for spec in ACCOUNTS:
        users[spec.role], new = _account(spec)
        created["accounts"] += new
    for name, slug, platform, color in GAMES:
        _, new = Game.objects.get_or_create(
            slug=slug, defaults={"name": name, "platform": platform, "color": color}
        )
        created["games"] += new
    for slug, kind, title, description, price in LISTINGS:
        _, new = Listing.objects.get_or_create(
            seller=users["seller"],
            title=title,
            status=Listing.Status.AVAILABLE,
            defaults={
                "game": Game.objects.get(slug=slug),
                "kind": kind,
                "description": description,
                "price": price,
                "currency": "XOF",
            },
        )
        created["listings"] += new
    return created
