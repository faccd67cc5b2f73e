"""Where payouts go: the adapter's and staff's numbers are parsed and stored normalised, money never goes to
a number that does not parse, and reconcile lists the stored numbers that do not."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from django_cinetpay import services
from django_cinetpay.adapter import PayoutDestination
from django_cinetpay.models import CinetPayTransaction, PayoutRequest
from django_cinetpay.phones import InvalidPhoneNumber
from django_cinetpay.services.reconcile import check_stored_phone_numbers
from django_cinetpay.states import PayoutStatus

from .adapter import SellerPhoneAdapter
from .conftest import accept, make_payment

pytestmark = pytest.mark.django_db


class TypedNumberAdapter(SellerPhoneAdapter):
    """Sellers are paid on a number as a host project may hold it (set per test)."""

    seller_prefix = "225"
    seller_phone = "0505050505"


@pytest.fixture(autouse=True)
def _typed_numbers(settings):  # type: ignore[no-untyped-def]
    settings.CINETPAY_ADAPTER = f"{__name__}.TypedNumberAdapter"
    settings.CINETPAY_ESCROW_SECURITY_PERIOD = dt.timedelta(0)


def seller_payout(buyer, seller, prefix: str, phone: str, monkeypatch) -> PayoutRequest:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(TypedNumberAdapter, "seller_prefix", prefix)
    monkeypatch.setattr(TypedNumberAdapter, "seller_phone", phone)
    escrow = accept(make_payment(buyer, seller)).escrow
    services.confirm_receipt(escrow, buyer)
    return PayoutRequest.objects.get(escrow=escrow)


@pytest.mark.parametrize(
    ("prefix", "phone"),
    [
        ("225", "+225 07 07 07 07 07"),
        ("+225", "2250707070707"),
        ("", "+2250707070707"),
        ("225", "07.07.07.07.07"),
    ],
)
def test_the_adapters_number_is_sent_normalised(buyer, seller, transfer_api, monkeypatch, prefix, phone):
    payout = seller_payout(buyer, seller, prefix, phone, monkeypatch)
    assert (payout.prefix, payout.phone, payout.last_error) == ("225", "0707070707", "")
    assert services.process_payout(payout).step == services.Step.SENT
    assert [(s["prefix"], s["phone"]) for s in transfer_api.sends] == [("225", "0707070707")]


def test_an_adapters_number_that_does_not_parse_is_never_sent(buyer, seller, transfer_api, monkeypatch):
    payout = seller_payout(buyer, seller, "225", "1 2 3 4 5", monkeypatch)
    assert (payout.status, payout.has_destination) == (PayoutStatus.PENDING, False)
    assert "225 ******* 5, is not a valid mobile number" in payout.last_error
    assert "set the destination on this payout" in payout.last_error
    assert services.process_payout(payout).step == services.Step.WAITING
    payout.refresh_from_db()
    assert (payout.status, payout.phone) == (PayoutStatus.PENDING, "")
    assert "not a valid mobile number" in payout.last_error
    assert (transfer_api.logins, transfer_api.contacts, transfer_api.sends) == (0, set(), [])


def test_a_stored_number_carrying_its_calling_code_is_never_sent(buyer, seller, transfer_api, monkeypatch):
    """A row from before numbers were parsed: CinetPay would pay +225 2250707070707."""
    payout = seller_payout(buyer, seller, "225", "0707070707", monkeypatch)
    PayoutRequest.objects.filter(pk=payout.pk).update(phone="2250707070707")
    assert services.process_payout(payout).step == services.Step.WAITING
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PENDING
    assert "Set the destination again" in payout.last_error
    assert transfer_api.sends == []
    [found] = check_stored_phone_numbers()
    assert (found.invariant, found.subject) == (
        "unparseable-phone",
        f"seller payout {payout} (escrow #{payout.escrow_id})",
    )
    assert "***********07" in found.detail
    assert "2250707070707" not in found.detail
    with pytest.raises(CommandError, match="discrepancy"):
        call_command("cinetpay_reconcile")


def test_reconcile_lists_a_payers_number_a_refund_could_not_use(buyer, seller):
    tx = accept(make_payment(buyer, seller), phone="12345")
    [found] = check_stored_phone_numbers()
    assert (found.invariant, found.subject) == ("unparseable-phone", f"payment {tx.transaction_id}")
    assert "225 ***45" in found.detail
    CinetPayTransaction.objects.filter(pk=tx.pk).update(payer_phone="2250707070707")  # parses: fine
    assert list(check_stored_phone_numbers()) == []


def test_a_refund_never_glues_the_prefix_to_a_number_that_carries_it(buyer, seller, staff):
    """A payer number stored with its calling code once went to +225 2250707070707."""
    escrow = accept(make_payment(buyer, seller), prefix="225", phone="2250707070707").escrow
    services.refund_escrow(escrow, staff, "annulé")
    refund = PayoutRequest.objects.get(escrow=escrow, kind="refund")
    assert (refund.prefix, refund.phone, refund.last_error) == ("225", "0707070707", "")


def test_staff_set_a_destination_normalised_or_not_at_all(buyer, seller, staff, monkeypatch):
    payout = seller_payout(buyer, seller, "225", "1 2 3 4 5", monkeypatch)
    with pytest.raises(InvalidPhoneNumber, match="Côte d'Ivoire"):
        services.set_destination(payout, staff, PayoutDestination("225", "07 07 07 07"))
    assert PayoutRequest.objects.get(pk=payout.pk).phone == ""
    services.set_destination(payout, staff, PayoutDestination("225", "+225 07 07 07 07 07", name="Koné"))
    payout.refresh_from_db()
    assert (payout.prefix, payout.phone, payout.name, payout.last_error) == ("225", "0707070707", "Koné", "")
    assert "destination set to 225 ********07" in services.history(payout).last().reason
