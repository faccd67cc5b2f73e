"""Reports and statistics: the figures behind the staff dashboard, its downloads and ``cinetpay_report``.

:func:`parse_period` reads the dates a person asked for, :func:`build_report` sums the database into a
:class:`Report` (a constant number of queries), and :mod:`.serialise` writes it as JSON, CSV rows or text;
:mod:`.dashboard` and :mod:`.charts` make it a page.
"""

from .figures import Report
from .period import Period, parse_period
from .queries import build_report, parse_currency

__all__ = ["Period", "Report", "build_report", "parse_currency", "parse_period"]
