"""A purchase in the example marketplace tells the buyer and the seller, as staff see in the admin."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest

from .test_marketplace import expect, go_to_simulator, pay_with_orange_money, start_purchase

if TYPE_CHECKING:
    from .conftest import LoggedIn, Shoot

pytestmark = pytest.mark.browser

MESSAGES = "/admin/cinetpay/message/"


def test_a_purchase_tells_the_buyer_and_the_seller(log_in: LoggedIn, shoot: Shoot) -> None:
    buyer = log_in("buyer")
    start_purchase(buyer, "5 600 diamants Free Fire")
    reference = re.search(r"/(CP\w+)/pay/$", buyer.url).group(1)  # type: ignore[union-attr]
    go_to_simulator(buyer)
    pay_with_orange_money(buyer)
    buyer.wait_for_url(re.compile(r"/paiements/CP\w+/success/$"))

    staff = log_in("staff")
    expected = {
        # kind → who gets it: the buyer by e-mail and SMS, the seller (told to deliver) likewise
        "buyer_payment_accepted": ("awa", "awa@gameshop.example"),
        "seller_payment_received": ("koffi", "koffi@gameshop.example"),
    }
    for kind, (username, email) in expected.items():
        staff.goto(f"{MESSAGES}?q={reference}&kind__exact={kind}")
        rows = staff.locator("#result_list tbody tr")
        expect(rows).to_have_count(2)  # one e-mail, one SMS
        expect(rows.filter(has_text=email)).to_have_count(1)
        sms_row = rows.filter(has_text=re.compile(r"\*{8,}\d\d"))  # the number, masked
        expect(sms_row).to_have_count(1)
        for row in (rows.nth(0), rows.nth(1)):
            expect(row).to_contain_text(username)
    shoot(staff, "19-staff-messages")

    # The SMS go through the console backend (the demo's default in DEBUG), sent by the task worker.
    sent = f"{MESSAGES}?q={reference}&channel__exact=sms&state__exact=sent"
    deadline = time.monotonic() + 30
    while True:
        staff.goto(sent)
        count = staff.locator("#result_list tbody tr").count()
        if count == 2 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert count == 2, f"{count} SMS sent of 2"
