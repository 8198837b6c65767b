"""The report's charts: static SVG drawn with matplotlib, embedded in the HTML as data URIs
(`data_uri`); `report_cache` keeps them on disk so that a rebuild draws only what changed.

Static SVG, not a JavaScript chart library: the report must open offline, from a file,
years later, on a district officer's machine; an SVG needs no script and weighs a few
kilobytes, where plotly would embed 3-4 MB of JavaScript in every file. Each chart is a
data URI image, so the SVGs' internal ids never clash within a page. Figures are built
with `matplotlib.figure.Figure` (no pyplot state), so drawing is safe in any thread, and
the SVG carries no date and fixed ids: the same figures give the same file.
"""

from __future__ import annotations

import base64
import io
from datetime import date

import polars as pl
from matplotlib import rc_context
from matplotlib.figure import Figure

LABELS = {
    "placed": "placed in jobs",
    "self_employed": "self-employed",
    "entrepreneurs": "entrepreneurs",
    "appeals.received": "appeals received",
    "appeals.resolved": "appeals resolved",
    "unemployed": "unemployed",
}


def data_uri(svg: str) -> str:
    """An SVG as an `<img>`'s source, so the HTML needs no file beside it."""
    return f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    # Text stays text (no glyph outlines: smaller files, drawn in a fraction of the time);
    # a fixed salt keeps the SVG's ids, and so the file, the same for the same figures.
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "mahalla-hub"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def series_chart(series: pl.DataFrame, names: tuple[str, ...], title: str) -> str | None:
    """The SVG of a line chart of `names` over the months of `series` (None: no months)."""
    if series.is_empty():
        return None
    figure = Figure(figsize=(6.4, 2.6))
    axes = figure.subplots()
    months: list[date] = series["month_on"].to_list()
    labels = [f"{m:%Y-%m}" for m in months]
    for name in names:
        axes.plot(labels, series[name].to_list(), marker="o", label=LABELS.get(name, name))
    axes.set_title(title, fontsize=10, y=1.0)  # y given: no search for overlapping artists
    axes.tick_params(axis="x", labelrotation=45, labelsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")
    figure.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.28)
    return _svg(figure)


def mahalla_chart(by_mahalla: pl.DataFrame, figure_name: str, title: str) -> str | None:
    """The SVG of a horizontal bar per mahalla of `figure_name` for the month (None: no
    mahallas)."""
    if by_mahalla.is_empty():
        return None
    values = by_mahalla[figure_name].fill_null(0.0).to_list()
    names = by_mahalla["name"].to_list()
    figure = Figure(figsize=(6.4, 0.6 + 0.22 * len(names)))
    axes = figure.subplots()
    axes.barh(names, values, color="#4c72b0")
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10, y=1.0)  # y given: no search for overlapping artists
    axes.tick_params(labelsize=7)
    axes.grid(axis="x", alpha=0.3)
    figure.subplots_adjust(left=0.32, right=0.97)
    return _svg(figure)
