"""The month-partitioned products: the monthly indicators and the regional report.

One partition per calendar month (`MONTHS`, key = the month's first day, "2025-03-01").
A run covers a range of months in one go (`BackfillPolicy.single_run`): the figures of a
stock need every month before it, so one pass over the graph serves the whole range.

- `monthly_indicators`: the months of the run's range are recomputed; the open month (the
  one the graph's evidence reaches) and months never written are stored as computed, a
  closed month changes only for late records, each change kept as a revision
  (hub.diagnostics.monthly_store).
- `monthly_report`: one HTML file per region and month of the range, one page per
  district, read from the stored figures only (hub.diagnostics.report_html). Its
  metadata gives the folder, the index and, for a single month, each region's file.

After every successful load `monthly_after_loads` (pipelines.monthly_automation) asks
`monthly_job` for the months the load touched; an engineer backfills any range from the UI.
"""

import warnings
from datetime import date, timedelta
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    BetaWarning,
    MaterializeResult,
    MetadataValue,
    MonthlyPartitionsDefinition,
    asset,
)

from hub.diagnostics.monthly import month_grid
from hub.diagnostics.monthly_store import refresh_monthly_indicators
from hub.diagnostics.report_html import write_region_reports
from pipelines.diagnostics_assets import as_of_day
from pipelines.resources import HubDatabase

# One pass over the graph serves a whole range of months, which only a single-run
# backfill policy gives; Dagster marks the parameter beta. Said once here rather than on
# every import (a command's output must stay readable, e.g. `hub run`'s one-line errors).
warnings.filterwarnings("ignore", message=".*backfill_policy.*", category=BetaWarning)

FIRST_MONTH = "2000-01-01"
"""The first month partition (the sandbox dates its worlds from 2000 on)."""

MONTHS = MonthlyPartitionsDefinition(start_date=FIRST_MONTH, end_offset=1)
"""Calendar months up to the current one (`end_offset=1`: the open month is a partition)."""

MONTHLY_ASSETS = ("monthly_indicators", "monthly_report")


def run_months(context: AssetExecutionContext) -> list[date]:
    """The months of the run's partition range (a single month, or a backfill's range)."""
    window = context.partition_time_window
    return month_grid(window.start.date(), (window.end - timedelta(days=1)).date())


@asset(
    group_name="diagnostics",
    deps=[AssetKey("household_categories")],
    partitions_def=MONTHS,
    backfill_policy=BackfillPolicy.single_run(),
    description=(
        "Monthly figures per mahalla, district, region and country (monthly_indicator), "
        "one partition per month; a closed month changes only for late records, each "
        "change kept as a revision (monthly_indicator_revision)."
    ),
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def monthly_indicators(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    months = run_months(context)
    with hub.session() as session:
        as_of = as_of_day(session)
        done = refresh_monthly_indicators(session, as_of, only=months)
    return MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "months_with_data": len(done.months),
            "written": done.written,
            "revised": done.revised,
            "kept_as_published": done.kept,
        }
    )


@asset(
    group_name="diagnostics",
    deps=[AssetKey("monthly_indicators")],
    partitions_def=MONTHS,
    backfill_policy=BackfillPolicy.single_run(),
    description=(
        "The monthly monitoring report of each region: one offline HTML file per region and "
        "month, a page per district with its figures and charts (reports/YYYY-MM/)."
    ),
    required_resource_keys={"hub_db"},
    kinds={"html"},
)
def monthly_report(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    folder = hub.reports()
    with hub.session() as session:
        files = write_region_reports(session, folder, run_months(context))
    metadata: dict[str, MetadataValue[Any]] = {
        "files": MetadataValue.int(len(files)),
        "folder": MetadataValue.path(str(folder)),
        "index": MetadataValue.url((folder / "index.html").as_uri()),
    }
    if len({path.parent for path in files}) == 1:
        for path in files:
            metadata[path.stem] = MetadataValue.url(path.as_uri())
    return MaterializeResult(metadata=metadata)


MONTHLY_ASSETS_DEFS = [monthly_indicators, monthly_report]
