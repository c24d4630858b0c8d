"""How the standard workbook's sheets print: A4 landscape, header rows repeated on every
page, the issuer, unit and period in the page header and 'Trang x/y' in the footer.

A sheet fits the page's width; a sheet too wide to read at that scale (the school list, one
column per indicator) prints in blocks of columns instead, one block per indicator family,
each page repeating the school's code and name, at one scale that fits the widest block.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ioc.reports.labels import PAGE

A4 = 9  # xlsxwriter's paper code
A4_LANDSCAPE_WIDTH_IN = 11.69
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.4, 0.7, 0.6
PRINTABLE_WIDTH_IN = A4_LANDSCAPE_WIDTH_IN - 2 * MARGIN_SIDE_IN
MIN_SCALE, MAX_SCALE = 10, 100  # Excel's bounds for a print scale


@dataclass(frozen=True)
class PageText:
    """What every printed page says about the report."""

    issuer: str  # left of the header
    unit_period: str  # right of the header


def _escape(text: str) -> str:
    """Header and footer text: '&' starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


def width_inches(width: float) -> float:
    """A column's printed width at 100 %, from its width in characters (xlsxwriter's
    conversion: 7 pixels a character and 5 of padding, 96 pixels an inch)."""
    return (int(width * 7 + 0.5) + 5) / 96


def page_setup(
    ws: Worksheet,
    text: PageText,
    *,
    repeat_rows: int,
    fit_width: bool = True,
    one_page: bool = False,
    gridlines: bool = True,
) -> None:
    """A4 landscape, the first ``repeat_rows`` rows on every page, header and footer; fit to
    the page's width (``one_page``: to a single page) unless the caller sets a scale."""
    ws.set_paper(A4)
    ws.set_landscape()
    ws.set_margins(MARGIN_SIDE_IN, MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN)
    ws.center_horizontally()
    if one_page:
        ws.fit_to_pages(1, 1)
    elif fit_width:
        ws.fit_to_pages(1, 0)
    if repeat_rows:
        ws.repeat_rows(0, repeat_rows - 1)
    if gridlines:
        ws.hide_gridlines(0)  # printed too: rows stay readable across a wide page
    ws.set_header(f"&L&8{_escape(text.issuer)}&R&8{_escape(text.unit_period)}", margin=0.3)
    ws.set_footer(f"&C&8{PAGE} &P/&N", margin=0.3)


def column_blocks(
    ws: Worksheet, widths: Sequence[float], starts: Sequence[int], *, repeat_columns: int
) -> int:
    """Print a wide sheet in blocks of columns: a page break before each column of
    ``starts``, the first ``repeat_columns`` columns on every page, pages across before
    down, at the largest scale at which the widest block fits. Returns the scale."""
    edges = [0, *sorted(starts), len(widths)]
    repeated = sum(width_inches(w) for w in widths[:repeat_columns])
    widest = 0.0
    for first, end in itertools.pairwise(edges):
        block = sum(width_inches(w) for w in widths[first:end])
        widest = max(widest, block + (repeated if first >= repeat_columns else 0.0))
    scale = min(MAX_SCALE, max(MIN_SCALE, math.floor(100 * PRINTABLE_WIDTH_IN / widest)))
    ws.set_v_pagebreaks(sorted(starts))
    ws.repeat_columns(0, repeat_columns - 1)
    ws.print_across()
    ws.set_print_scale(scale)
    return scale
