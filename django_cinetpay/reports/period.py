"""The dates a report covers, read from what a person typed (the dashboard's form, the command's options).

Days are the site's days: a period runs from midnight of its first day to midnight after its last one,
in ``TIME_ZONE``, so a payment made at 23:30 in Abidjan counts on that day whatever the database's clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import InvalidInputError

#: How the figures over time are grouped.
GRANULARITIES = ("day", "week", "month")
#: The default period: the last 30 days, today included.
DEFAULT_DAYS = 30
#: More points than this make a chart no one can read (and a page no one can load): ask for a coarser step.
MAX_BUCKETS = 400


@dataclass(frozen=True)
class Period:
    """From ``since`` to ``until``, both days included, grouped by ``granularity``."""

    since: dt.date
    until: dt.date
    granularity: str = "day"

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period, in the site's time zone."""
        return _midnight(self.since)

    @property
    def end(self) -> dt.datetime:
        """The first instant *after* the period (an exclusive bound)."""
        return _midnight(self.until + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def buckets(self) -> list[dt.date]:
        """The first day of every day, week (Monday) or month the period touches, in order."""
        first = bucket_start(self.since, self.granularity)
        starts = []
        while first <= self.until:
            starts.append(first)
            first = _next_bucket(first, self.granularity)
        return starts


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def bucket_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the day, week (Monday, as databases truncate) or month ``day`` falls in."""
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_bucket(start: dt.date, granularity: str) -> dt.date:
    if granularity == "week":
        return start + dt.timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start + dt.timedelta(days=1)


def default_granularity(since: dt.date, until: dt.date) -> str:
    """Days up to two months, weeks up to a year, months beyond: a chart of a few dozen bars."""
    days = (until - since).days + 1
    return "day" if days <= 62 else "week" if days <= 366 else "month"


def parse_date(value: str | dt.date | None, option: str) -> dt.date | None:
    """``YYYY-MM-DD`` (or a date) as a date; ``None`` or ``""`` as ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(
            _("%(option)s must be a date written YYYY-MM-DD, not %(value)r.")
            % {"option": option, "value": value}
        ) from None


def parse_period(
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    granularity: str | None = None,
    *,
    today: dt.date | None = None,
) -> Period:
    """The period a person asked for; what they left out follows the defaults (the last 30 days).

    Raises :class:`~django_cinetpay.exceptions.InvalidInputError`, with a message for that person, for
    a date that does not parse, a start after the end, an unknown grouping or one with too many points.
    """
    today = today or timezone.localdate()
    end = parse_date(until, "until") or today
    start = parse_date(since, "since") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInputError(
            _("The start of the period (%(since)s) is after its end (%(until)s).")
            % {
                "since": start.isoformat(),
                "until": end.isoformat(),
            }
        )
    step = granularity or default_granularity(start, end)
    if step not in GRANULARITIES:
        raise InvalidInputError(_("Group by day, week or month, not %(value)r.") % {"value": step})
    period = Period(start, end, step)
    if len(period.buckets()) > MAX_BUCKETS:
        raise InvalidInputError(
            _("%(days)s days by %(step)s is too many points for a chart; group by week or month.")
            % {"days": period.days, "step": step}
        )
    return period
