"""Charts drawn on the server as SVG: no JavaScript, nothing fetched from elsewhere, printable.

Two kinds. :func:`columns` draws one column per day, week or month: the payments created in it, and in
a darker colour the part of them CinetPay accepted. Its horizontal positions are percentages and its text
is in pixels, so the chart fills any width (a phone's too) while its labels stay readable. :func:`bar` is
the small horizontal bar beside a figure in a table, its length proportional to the figure.

Each chart carries a title and a description for screen readers; the same figures are also in a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

#: Height of a column chart and of its plotting area, in pixels; labels go below the plotting area.
HEIGHT = 200
PLOT_TOP, PLOT_BOTTOM = 18, 170
#: At most this many labels under the columns, so they never overlap on a phone.
MAX_LABELS = 6


@dataclass(frozen=True)
class Point:
    """One column: its label under the axis, its two values, and what a pointer over it shows."""

    label: str
    total: int
    part: int
    title: str


def _height(value: int, maximum: int) -> float:
    return round((PLOT_BOTTOM - PLOT_TOP) * value / maximum, 2) if maximum else 0.0


def columns(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    total_label: str,
    part_label: str,
    axis: Callable[[int], str],
    chart_id: str,
) -> SafeString:
    """A column chart of ``points``: ``total`` light, ``part`` (at most ``total``) dark over it.

    ``axis`` writes a value for the scale (the maximum and its half); ``chart_id`` makes the ids of the
    title and description unique in the page.
    """
    maximum = max((p.total for p in points), default=0)
    step = 100 / len(points) if points else 100
    every = max(1, -(-len(points) // MAX_LABELS))  # ceiling: at most MAX_LABELS labels
    bars = []
    for index, point in enumerate(points):
        x, width = round(index * step + step * 0.1, 3), round(step * 0.8, 3)
        total_h, part_h = _height(point.total, maximum), _height(point.part, maximum)
        bars.append(
            format_html(
                '<g class="cp-col"><title>{}</title>'
                '<rect class="cp-total" x="{}%" y="{}" width="{}%" height="{}"></rect>'
                '<rect class="cp-part" x="{}%" y="{}" width="{}%" height="{}"></rect></g>',
                point.title,
                x,
                PLOT_BOTTOM - total_h,
                width,
                total_h,
                x,
                PLOT_BOTTOM - part_h,
                width,
                part_h,
            )
        )
        if index % every == 0:
            bars.append(
                format_html(
                    '<text class="cp-label" x="{}%" y="{}" text-anchor="middle">{}</text>',
                    round(index * step + step / 2, 3),
                    PLOT_BOTTOM + 18,
                    point.label,
                )
            )
    scale = format_html_join(
        "",
        '<line class="cp-grid" x1="0" x2="100%" y1="{0}" y2="{0}"></line>'
        '<text class="cp-scale" x="2" y="{1}">{2}</text>',
        (
            (PLOT_BOTTOM - _height(value, maximum), PLOT_BOTTOM - _height(value, maximum) - 4, axis(value))
            for value in ((maximum, maximum // 2) if maximum else ())
        ),
    )
    legend = format_html(
        '<text class="cp-legend" x="100%" y="12" text-anchor="end">'
        '<tspan class="cp-legend-total">■</tspan> {} <tspan class="cp-legend-part">■</tspan> {}</text>',
        total_label,
        part_label,
    )
    return format_html(
        '<svg class="cp-chart" width="100%" height="{}" role="img" aria-labelledby="{}-t {}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>'
        '{}{}<line class="cp-axis" x1="0" x2="100%" y1="{}" y2="{}"></line>{}</svg>',
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        scale,
        legend,
        PLOT_BOTTOM,
        PLOT_BOTTOM,
        mark_safe("".join(bars)),  # noqa: S308  (each part built by format_html above)
    )


def bar(value: int, maximum: int) -> SafeString:
    """A horizontal bar, ``value / maximum`` of the cell's width; decorative (the figure is beside it)."""
    share = round(100 * value / maximum, 2) if maximum > 0 and value > 0 else 0
    return format_html(
        '<svg class="cp-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false"><rect width="{}" height="10"></rect></svg>',
        share,
    )
