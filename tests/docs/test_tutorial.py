"""The tutorial, run for real: a renamed function or setting breaks this test, not the reader.

Its code is ``literalinclude``'d from ``docs/tutorial/project/`` by the English and the French pages
alike. The test copies that project to a fresh directory, runs the ``manage.py`` commands the pages show
(``makemigrations``, ``migrate``, ``createsuperuser``, ``shell``, ``runserver``, the release and payout
jobs), and plays the story over HTTP as the tutorial tells it: the buyer logs in, buys, fills the
package's payment form, pays on the simulator's checkout page (which notifies the shop), comes back and
confirms receipt; the security period passes, the release job releases the escrow and the seller's
payout goes to the simulator's Transfer API; CinetPay (the simulator's dashboard) validates the transfer
and notifies the shop; the admin shows it all.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .tutorial_project import DOCS, PROJECT, Browser, TutorialProject, form_actions, hidden_fields

PAGES = {"en": DOCS / "tutorial", "fr": DOCS / "fr" / "tutorial"}
INCLUDE = re.compile(r"^\s*\.\. literalinclude:: (\S+)", re.MULTILINE)
COMMAND = re.compile(r"^\s*\$ ((?:python manage\.py|django-admin) .+)$", re.MULTILINE)
#: Seconds, as the tutorial's settings say (the story waits that long after the confirmation).
SECURITY_PERIOD = int(
    re.search(  # type: ignore[union-attr]
        r"^CINETPAY_ESCROW_SECURITY_PERIOD = timedelta\(seconds=(\d+)\)$",
        (PROJECT / "shop" / "settings.py").read_text(),
        re.MULTILINE,
    ).group(1)
)


def pages(language: str) -> list[Path]:
    found = sorted(PAGES[language].glob("*.rst"))
    assert found, f"no tutorial pages in {PAGES[language]}"
    return found


def included_files(language: str) -> set[Path]:
    return {
        (page.parent / target).resolve()
        for page in pages(language)
        for target in INCLUDE.findall(page.read_text())
    }


def shown_commands(language: str) -> set[str]:
    return {
        command.removeprefix("python manage.py ").strip()
        for page in pages(language)
        for command in COMMAND.findall(page.read_text())
    }


@pytest.mark.parametrize("language", sorted(PAGES))
def test_the_pages_include_the_tested_project_files(language: str) -> None:
    """Every code block of the tutorial comes from the project this module runs, in both languages."""
    files = included_files(language)
    assert files, "the tutorial includes no file of the tested project"
    for path in files:
        assert path.is_file(), path
        assert PROJECT in path.parents, f"{path} is not part of the tested project"


def code_blocks(page: Path) -> list[tuple[str, ...]]:
    """The page's ``literalinclude`` (target resolved, with its options) and ``code-block`` directives,
    in order, each as its lines."""
    blocks: list[tuple[str, ...]] = []
    lines = page.read_text().splitlines()
    for number, line in enumerate(lines):
        if not line.startswith((".. literalinclude::", ".. code-block::")):
            continue
        if line.startswith(".. literalinclude::"):
            line = f".. literalinclude:: {(page.parent / line.split('::', 1)[1].strip()).resolve()}"
        body = [line]
        for following in lines[number + 1 :]:
            if following and not following.startswith(" "):
                break
            body.append(following)
        blocks.append(tuple(b for b in body if b.strip()))
    return blocks


def test_the_french_tutorial_shows_the_same_code_and_commands() -> None:
    """Page by page, the French tutorial includes the same files with the same options, and shows the
    same commands, as the English one: both are exercised by the story below."""
    english = {page.name: page for page in pages("en")}
    french = {page.name: page for page in pages("fr")}
    assert french.keys() == english.keys()
    for name, page in english.items():
        assert code_blocks(french[name]) == code_blocks(page), name


def test_the_project_layout_is_what_django_admin_makes(tmp_path: Path) -> None:
    """``django-admin startproject shop .`` and ``manage.py startapp market`` make the files the tutorial
    then edits: the shipped project keeps Django's layout."""
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONDONTWRITEBYTECODE": "1"}
    for command in (["-m", "django", "startproject", "shop", "."], ["manage.py", "startapp", "market"]):
        subprocess.run([sys.executable, *command], cwd=tmp_path, env=env, check=True, timeout=60)
    for path in PROJECT.rglob("*.py"):
        relative = path.relative_to(PROJECT)
        if relative.parts[0] in {"shop", "market"} and len(relative.parts) == 2:
            made_by_django = (tmp_path / relative).exists()
            ours = relative.name in {"adapter.py", "receivers.py", "urls.py"}
            assert made_by_django or ours, f"{relative}: neither Django's nor one the tutorial creates"
    assert (tmp_path / "manage.py").exists()


def test_the_tutorial_story(tmp_path: Path) -> None:
    project = TutorialProject(tmp_path / "shop")
    project.manage("makemigrations", "market")
    project.manage("migrate")
    project.manage("createsuperuser", "--noinput", shown="createsuperuser")
    project.manage(
        "shell", stdin=(PROJECT / "first_listing.py").read_text(), shown="shell < first_listing.py"
    )
    database = project.directory / "db.sqlite3"

    buyer, staff = Browser(project.base_url), Browser(project.base_url)
    try:
        with project.serving():
            confirmed_at = buy_pay_and_confirm(buyer)
            time.sleep(max(0.0, confirmed_at + SECURITY_PERIOD + 0.5 - time.monotonic()))
            released = project.manage("cinetpay_release_due_escrows")
            # The e-mail to the seller (console backend, immediate tasks) comes first, then the report.
            assert "Subject: Your money is released" in released
            assert released.endswith("\n0 escrow(s) confirmed for silent buyers, 1 released.\n")
            assert rows(database, "SELECT status FROM cinetpay_payoutrequest") == [("submitted",)]

            staff.log_in("/admin/login/", "admin", "admin-tutorial")
            validate_the_transfer(staff)
            assert rows(database, "SELECT status FROM cinetpay_payoutrequest") == [("completed",)]
            assert project.manage("cinetpay_process_payouts") == "0 payout(s) handled.\n"

            # The admin lists what happened, each row by its reference.
            [(payment,)] = rows(database, "SELECT transaction_id FROM cinetpay_cinetpaytransaction")
            [(payout,)] = rows(database, "SELECT client_transaction_id FROM cinetpay_payoutrequest")
            assert str(payment) in staff.get("/admin/cinetpay/cinetpaytransaction/").text
            assert str(payment) in staff.get("/admin/cinetpay/escrowtransaction/").text
            assert str(payout) in staff.get("/admin/cinetpay/payoutrequest/?status=completed").text
    finally:
        buyer.close()
        staff.close()

    assert rows(database, "SELECT status, amount FROM cinetpay_cinetpaytransaction") == [("accepted", 5000)]
    assert rows(database, "SELECT status, commission, seller_amount FROM cinetpay_escrowtransaction") == [
        ("released", 250, 4750)
    ]
    assert rows(database, "SELECT kind, amount, phone FROM cinetpay_payoutrequest") == [
        ("payout", 4750, "0505050505")
    ]
    assert rows(database, "SELECT sold FROM market_listing") == [(1,)]  # the signal receiver ran
    assert set(project.ran) == shown_commands("en") - {"startapp market", "django-admin startproject shop ."}


def buy_pay_and_confirm(buyer: Browser) -> float:
    """The buyer's part of the story; returns when receipt was confirmed (``time.monotonic()``)."""
    buyer.log_in("/accounts/login/", "awa", "awa-tutorial")
    shop = buyer.get("/")
    assert "Free Fire account, level 60" in shop.text
    pay_form = buyer.submit(shop, {}, action=form_actions(shop)[-1])  # "Buy" → the package's payment form
    assert re.search(r"/payments/\w+/pay/$", pay_form.url), pay_form.url
    checkout = buyer.submit(
        pay_form,
        {
            "customer_surname": "Awa",
            "customer_name": "Koné",
            "customer_email": "awa@example.com",
            "customer_phone_number": "07 07 07 07 07",
            "channel": "ALL",
        },
    )
    assert "/cinetpay-simulator/payment/" in checkout.url, checkout.url
    # On the simulator's checkout page: Orange Money, pay. The simulator notifies the shop, then sends the
    # browser back with an auto-submitted form.
    back = buyer.submit(
        checkout, {"method": "OM", "phone": "0707070707", "phone_prefix": "225", "outcome": "pay"}
    )
    returned = buyer.session.post(back_action(back), data=hidden_fields(back), timeout=30)
    assert returned.status_code == 200
    assert "Payment received" in returned.text, returned.text[-2000:]
    confirm_link = re.search(r'href="(/payments/\w+/confirm/)"', returned.text)
    assert confirm_link, "the overridden success page links to the confirmation"
    confirm_page = buyer.get(confirm_link.group(1))
    done = buyer.submit(confirm_page, {})
    assert done.status_code == 200
    return time.monotonic()


def back_action(page) -> str:
    match = re.search(r'<form id="sim-return" method="post" action="([^"]+)">', page.text)
    assert match, page.text[-2000:]
    return match.group(1)


def validate_the_transfer(staff: Browser) -> None:
    """On the simulator's dashboard, CinetPay validates the transfer and notifies the shop."""
    dashboard = staff.get("/cinetpay-simulator/")
    validate = [action for action in form_actions(dashboard) if action.endswith("/validate/")]
    assert len(validate) == 1, dashboard.text[-3000:]
    staff.submit(dashboard, {}, action=validate[0])


def rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()
