"""The checks this site answers alone: its configuration and its database. One query per check at most,
whatever the number of rows (aggregates with conditions, never a loop over rows)."""

from __future__ import annotations

import datetime as dt

from django.core import checks
from django.db.models import Count, Max, Min, Q
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..conf import duration, optional_duration
from ..models import CinetPayNotification, CinetPayTransaction, EscrowTransaction, PayoutRequest
from ..states import EscrowStatus, PaymentStatus, PayoutStatus
from .results import Finding, Level

#: How late the release job may be before an escrow past its security period counts as stuck: the job
#: runs every few minutes, so an hour late means it is not running.
RELEASE_GRACE = dt.timedelta(hours=1)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def configuration(now: dt.datetime) -> Finding:
    """The package's system checks (tag ``cinetpay``), less the silenced ones."""
    messages = [m for m in checks.run_checks(tags=["cinetpay"]) if not m.is_silenced()]
    errors = [m for m in messages if m.level >= checks.ERROR]
    warnings = [m for m in messages if checks.WARNING <= m.level < checks.ERROR]
    level = Level.ERROR if errors else Level.WARNING if warnings else Level.OK
    if errors:
        summary = ngettext("%(n)d system check error.", "%(n)d system check errors.", len(errors))
    elif warnings:
        summary = ngettext("%(n)d system check warning.", "%(n)d system check warnings.", len(warnings))
    else:
        summary = _("The settings pass every check.")
    return Finding(
        "configuration",
        _("Configuration"),
        level,
        summary % {"n": len(errors or warnings)},
        tuple(f"{m.id}: {m.msg} {m.hint or ''}".strip() for m in errors + warnings),
        {"errors": [m.id for m in errors], "warnings": [m.id for m in warnings]},
    )


def notifications(now: dt.datetime) -> Finding:
    """When CinetPay last called, and notifications verified but never processed."""
    found = CinetPayNotification.objects.aggregate(
        last=Max("received_at"), unprocessed=Count("pk", filter=Q(valid=True, processed=False))
    )
    last, unprocessed = found["last"], found["unprocessed"]
    data = {"last_received_at": _iso(last), "seconds_ago": None, "unprocessed": unprocessed}
    if last is None:
        return Finding(
            "notifications", _("Notifications"), Level.WARNING, _("No notification received yet."), (), data
        )
    data["seconds_ago"] = int((now - last).total_seconds())
    summary = _("Last notification received %(ago)s ago.") % {"ago": timesince(last, now)}
    details: tuple[str, ...] = ()
    level = Level.OK
    if unprocessed:
        level = Level.WARNING
        details = (
            ngettext(
                "%(n)d verified notification not processed: processed again by the re-check job, "
                "or from the admin.",
                "%(n)d verified notifications not processed: processed again by the re-check job, "
                "or from the admin.",
                unprocessed,
            )
            % {"n": unprocessed},
        )
    return Finding("notifications", _("Notifications"), level, summary, details, data)


def payments(now: dt.datetime) -> Finding:
    """Payments still open past ``CINETPAY_PAYMENT_RECHECK_WINDOW``, and payments flagged for review."""
    window = duration("CINETPAY_PAYMENT_RECHECK_WINDOW")
    stale = Q(
        status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING], checkout_started_at__lte=now - window
    )
    review = Q(needs_review=True) & ~Q(status=PaymentStatus.ACCEPTED)
    found = CinetPayTransaction.objects.aggregate(
        stale=Count("pk", filter=stale),
        oldest=Min("checkout_started_at", filter=stale),
        review=Count("pk", filter=review),
    )
    details = []
    if found["stale"]:
        details.append(
            ngettext(
                "%(n)d payment still pending %(window)s after its checkout started (oldest: %(ago)s ago): "
                "is the re-check job running?",
                "%(n)d payments still pending %(window)s after their checkout started (oldest: %(ago)s "
                "ago): is the re-check job running?",
                found["stale"],
            )
            % {
                "n": found["stale"],
                "window": timesince(now - window, now),
                "ago": timesince(found["oldest"], now),
            }
        )
    if found["review"]:
        details.append(
            ngettext(
                "%(n)d payment reported paid for another amount or currency: review it.",
                "%(n)d payments reported paid for another amount or currency: review them.",
                found["review"],
            )
            % {"n": found["review"]}
        )
    data = {
        "pending_too_long": found["stale"],
        "oldest_started_at": _iso(found["oldest"]),
        "needs_review": found["review"],
    }
    if details:
        return Finding("payments", _("Payments"), Level.ALERT, details[0], tuple(details[1:]), data)
    return Finding("payments", _("Payments"), Level.OK, _("No payment is stuck."), (), data)


def payouts(now: dt.datetime) -> Finding:
    """Payouts failed and not retried, failed yet reported sent, unknown for too long, or stuck."""
    unknown_since = now - duration("CINETPAY_PAYOUT_UNKNOWN_ALERT_AFTER")
    current = PayoutRequest.objects.current()
    found = current.aggregate(
        failed=Count("pk", filter=Q(status=PayoutStatus.FAILED, needs_review=False)),
        sent_anyway=Count("pk", filter=Q(status=PayoutStatus.FAILED, needs_review=True)),
        unknown=Count("pk", filter=Q(status=PayoutStatus.UNKNOWN)),
        unknown_long=Count(
            "pk",
            filter=Q(status=PayoutStatus.UNKNOWN)
            & (
                Q(send_started_at__lte=unknown_since)
                | Q(send_started_at__isnull=True, created_at__lte=unknown_since)
            ),
        ),
        stuck=Count("pk", filter=Q(status=PayoutStatus.PENDING) & ~Q(last_error="")),
    )
    messages = {
        "failed": ngettext(
            "%(n)d payout failed and not retried: fix the cause, then retry it from the admin.",
            "%(n)d payouts failed and not retried: fix the cause, then retry them from the admin.",
            found["failed"],
        ),
        "sent_anyway": ngettext(
            "%(n)d failed payout CinetPay reports as sent: do not retry it, check CinetPay's back-office.",
            "%(n)d failed payouts CinetPay reports as sent: do not retry them, check CinetPay's back-office.",
            found["sent_anyway"],
        ),
        "unknown_long": ngettext(
            "%(n)d payout with an unknown outcome for more than %(after)s: check it in CinetPay's "
            "back-office.",
            "%(n)d payouts with an unknown outcome for more than %(after)s: check them in CinetPay's "
            "back-office.",
            found["unknown_long"],
        ),
        "stuck": ngettext(
            "%(n)d payout waiting with an error (a missing destination …): see it in the admin.",
            "%(n)d payouts waiting with an error (a missing destination …): see them in the admin.",
            found["stuck"],
        ),
    }
    after = timesince(unknown_since, now)
    details = [text % {"n": found[key], "after": after} for key, text in messages.items() if found[key]]
    if details:
        return Finding("payouts", _("Payouts"), Level.ALERT, details[0], tuple(details[1:]), found)
    summary = _("No payout needs a person.")
    if found["unknown"]:
        summary = ngettext(
            "%(n)d payout with an unknown outcome, still being looked up.",
            "%(n)d payouts with an unknown outcome, still being looked up.",
            found["unknown"],
        ) % {"n": found["unknown"]}
    return Finding("payouts", _("Payouts"), Level.OK, summary, (), found)


def escrows(now: dt.datetime) -> Finding:
    """The oldest open escrow past its period (the release job is not running), and open disputes."""
    overdue = Q(status=EscrowStatus.CONFIRMED, release_due_at__lte=now - RELEASE_GRACE)
    auto_confirm = optional_duration("CINETPAY_ESCROW_AUTO_CONFIRM_AFTER")
    if auto_confirm is not None:
        overdue |= Q(status=EscrowStatus.HELD, created_at__lte=now - auto_confirm - RELEASE_GRACE)
    disputed = Q(status=EscrowStatus.DISPUTED)
    found = EscrowTransaction.objects.aggregate(
        overdue=Count("pk", filter=overdue),
        oldest_due=Min("release_due_at", filter=overdue),
        oldest_created=Min("created_at", filter=overdue),
        disputes=Count("pk", filter=disputed),
        oldest_dispute=Min("disputed_at", filter=disputed),
    )
    oldest = found["oldest_due"] or found["oldest_created"]
    data = {
        "past_period": found["overdue"],
        "oldest_past_period": _iso(oldest),
        "open_disputes": found["disputes"],
        "oldest_dispute": _iso(found["oldest_dispute"]),
    }
    dispute_line = ""
    if found["disputes"]:
        dispute_line = ngettext(
            "%(n)d open dispute (the oldest opened %(ago)s ago) waits for staff.",
            "%(n)d open disputes (the oldest opened %(ago)s ago) wait for staff.",
            found["disputes"],
        ) % {"n": found["disputes"], "ago": timesince(found["oldest_dispute"] or now, now)}
    if found["overdue"]:
        summary = ngettext(
            "%(n)d escrow past its period and not released (the oldest for %(ago)s): is the release job "
            "running?",
            "%(n)d escrows past their period and not released (the oldest for %(ago)s): is the release job "
            "running?",
            found["overdue"],
        ) % {"n": found["overdue"], "ago": timesince(oldest or now, now)}
        return Finding(
            "escrows", _("Escrows"), Level.ALERT, summary, tuple(filter(None, [dispute_line])), data
        )
    if dispute_line:
        return Finding("escrows", _("Escrows"), Level.WARNING, dispute_line, (), data)
    return Finding("escrows", _("Escrows"), Level.OK, _("Every escrow is within its period."), (), data)
