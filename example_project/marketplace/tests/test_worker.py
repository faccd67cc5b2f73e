"""The site's real task queue: a confirmed sale queues its payout in the database, ``db_worker`` sends it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from django_cinetpay import services
from django_cinetpay.states import PayoutStatus
from marketplace.models import Listing

# The worker commits and reads what the site committed, as two processes would.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def _tasks_at_commit() -> None:
    """The site's own queue (``TASKS`` in gameshop/settings.py), not the conftest's run-at-commit one."""


def test_the_site_queues_background_work_in_its_database() -> None:
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert "django_tasks_db" in settings.INSTALLED_APPS


@override_settings(CINETPAY_ESCROW_SECURITY_PERIOD=dt.timedelta(0))
def test_a_confirmed_sale_is_paid_out_by_the_worker_not_the_request(
    buyer_client: Client, buyer: Any, listing: Listing, buy: Any
) -> None:
    purchase = buy(buyer_client, listing, pay=True)

    services.confirm_receipt(purchase.escrow, buyer)  # the buyer's request: releases, queues the payout

    payout = purchase.current_payout()
    assert payout is not None
    assert payout.status == PayoutStatus.PENDING  # nothing sent inside the request
    queued = DBTaskResult.objects.get(task_path="django_cinetpay.tasks.send_payouts")
    assert queued.args_kwargs["args"] == [[payout.pk]]
    # the messages to the buyer and the seller are queued beside it, never sent in the request either
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == {
        "django_cinetpay.tasks.send_payouts",
        "django_cinetpay.tasks.send_message",
    }

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    payout.refresh_from_db()
    queued.refresh_from_db()
    assert payout.status == PayoutStatus.SUBMITTED
    assert queued.status == "SUCCESSFUL"
