"""The monthly monitoring report per region as HTML files: one file per region and month,
one section (printed as a page) per district, charts inline (`report_charts`), so the
file opens offline with nothing beside it.

Files go to `<folder>/<YYYY-MM>/region-<code>.html`, with `<folder>/index.html` listing
every report written so far. Numbers are those stored in `monthly_indicator`; a ratio is
shown as a percentage, and a figure with no stored value (a rate with no appeals) as "–".

A chart comes from `<folder>/.charts/` when the same chart was drawn before
(`report_cache`), and a report whose bytes would not change is not written again: a
rebuild after a delivery draws and writes only what the delivery changed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from jinja2 import Environment, select_autoescape
from sqlalchemy.orm import Session

from hub.diagnostics.report_cache import ChartCache
from hub.diagnostics.report_charts import data_uri, mahalla_chart, series_chart
from hub.diagnostics.report_data import (
    MAHALLA_FIGURES,
    TABLE,
    DistrictPage,
    RegionReport,
    read_region_report,
    report_regions,
    shift_month,
)

RATIOS = {"loans.overdue_share", "appeals.resolution_rate"}
CHARTS = ".charts"
"""The folder, inside the reports' folder, of the charts drawn so far (`report_cache`)."""
_MONTH_FOLDER = re.compile(r"\d{4}-\d{2}")

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ report.name }} ({{ report.code }}), {{ month }}: monthly monitoring</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
section.district { page-break-before: always; border-top: 2px solid #888; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 2px 8px; }
td.num { text-align: right; }
p.empty { color: #a33; font-style: italic; }
</style></head><body>
<h1>{{ report.name }} ({{ report.code }}): monthly monitoring, {{ month }}</h1>
<p>{{ report.districts | length }} districts. Figures from the hub's monthly indicators.</p>
{% if not report.has_figures %}<p class="empty" id="no-figures">No figures were computed
for {{ month }} in this region.</p>{% endif %}
{% for page in pages %}
<section class="district" id="district-{{ page.code }}" data-district="{{ page.code }}">
<h2>{{ page.name }} ({{ page.code }})</h2>
{% if not page.mahallas %}<p class="empty">This district has no mahallas: no figures.</p>
{% elif not page.month %}<p class="empty">No figures for {{ month }}.</p>
{% else %}
<p>{{ page.mahallas | length }} mahallas.</p>
<table class="figures"><tr><th>Figure</th><th>{{ month }}</th><th>{{ before }}</th></tr>
{% for row in page.rows %}<tr data-figure="{{ row.name }}"><td>{{ row.label }}</td>
<td class="num">{{ row.now }}</td><td class="num">{{ row.before }}</td></tr>
{% endfor %}</table>
{% for chart in page.charts %}<p><img alt="{{ chart.alt }}" src="{{ chart.uri }}"></p>
{% endfor %}
<table class="mahallas"><tr><th>Mahalla</th>{% for f in mahalla_figures %}<th>{{ f }}</th>
{% endfor %}</tr>
{% for row in page.mahalla_rows %}<tr><td>{{ row[0] }}</td>{% for v in row[1:] %}
<td class="num">{{ v }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endif %}
</section>
{% endfor %}
</body></html>
"""

INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Monthly monitoring reports</title></head>
<body><h1>Monthly monitoring reports</h1><ul>
{% for month, files in months %}<li>{{ month }}: {% for name in files %}
<a href="{{ month }}/{{ name }}">{{ name }}</a> {% endfor %}</li>
{% endfor %}</ul></body></html>
"""

_jinja = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def shown(name: str, value: float | None) -> str:
    """A figure as the report prints it."""
    if value is None:
        return "–"
    if name in RATIOS:
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _page(page: DistrictPage, charts: ChartCache) -> dict[str, object]:
    rows = [
        {
            "name": name,
            "label": label,
            "now": shown(name, page.month.get(name)),
            "before": shown(name, page.previous.get(name)),
        }
        for name, label in TABLE.items()
    ]
    drawn = []
    if page.month:  # a page with no figures for the month draws nothing
        jobs = ("placed", "self_employed", "entrepreneurs")
        appeals = ("appeals.received", "appeals.resolved")
        # Each chart is given only the columns it draws, so its cache key changes only
        # when they do.
        drawn = [
            (charts.svg(series_chart, page.series.select("month_on", *jobs), jobs, "Jobs"), "jobs"),
            (
                charts.svg(
                    series_chart, page.series.select("month_on", *appeals), appeals, "Appeals"
                ),
                "appeals",
            ),
            (
                charts.svg(
                    mahalla_chart,
                    page.by_mahalla.select("name", "unemployed"),
                    "unemployed",
                    "Unemployed by mahalla",
                ),
                "unemployed",
            ),
        ]
    mahalla_rows = [
        [f"{row['name']} ({row['mahalla_code']})"] + [shown(f, row[f]) for f in MAHALLA_FIGURES]
        for row in page.by_mahalla.iter_rows(named=True)
    ]
    return {
        "code": page.code,
        "name": page.name,
        "mahallas": page.mahallas,
        "month": page.month,
        "rows": rows,
        "charts": [{"uri": data_uri(svg), "alt": alt} for svg, alt in drawn if svg is not None],
        "mahalla_rows": mahalla_rows,
    }


def render_region_report(report: RegionReport, charts: ChartCache) -> str:
    return _jinja.from_string(PAGE).render(
        report=report,
        month=f"{report.month:%Y-%m}",
        before=f"{shift_month(report.month, -1):%Y-%m}",
        pages=[_page(page, charts) for page in report.districts],
        mahalla_figures=[TABLE[f] for f in MAHALLA_FIGURES],
    )


def report_path(folder: Path, region: str, month: date) -> Path:
    return folder / f"{month:%Y-%m}" / f"region-{region}.html"


def write_index(folder: Path) -> Path:
    """`<folder>/index.html`: every report in the folder, newest month first."""
    months = sorted(
        (p for p in folder.iterdir() if p.is_dir() and _MONTH_FOLDER.fullmatch(p.name)),
        reverse=True,
    )
    listed = [(m.name, sorted(f.name for f in m.glob("region-*.html"))) for m in months]
    index = folder / "index.html"
    index.write_text(_jinja.from_string(INDEX).render(months=listed), encoding="utf-8")
    return index


def write_region_reports(
    session: Session, folder: Path, months: list[date], charts: ChartCache | None = None
) -> list[Path]:
    """Write the report of every region for each of `months` (a file whose bytes would
    not change is left as it is); returns the files, and rewrites the folder's index.
    `charts` defaults to the cache in `<folder>/.charts`."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = charts if charts is not None else ChartCache(folder / CHARTS)
    written = []
    regions = report_regions(session)
    for month in months:
        for code, name in regions.items():
            report = read_region_report(session, code, name, month)
            path = report_path(folder, code, report.month)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = render_region_report(report, charts).encode()
            if not path.is_file() or path.read_bytes() != text:
                path.write_bytes(text)
            written.append(path)
    write_index(folder)
    return written
