"""The hub's assets: for each source raw → staged → loaded, then the mahalla diagnostics.

- `raw_<source>`: new deliveries read through the connector into the landing store;
  unreadable rows quarantined; delivered/accepted/rejected recorded per delivery. A file
  still being written waits; a file that cannot be read at all is quarantined whole and
  the source's other files go on.
- `staged_<source>`: landed deliveries normalised (PINFL checked, names folded) and checked
  row by row; rule breaks quarantined. Its Great Expectations checks are in `checks.py`.
- `loaded_<source>`: staged deliveries written into the graph, one transaction per
  delivery; inside it the `linked_persons` step (`pipelines.linking.step`) links the
  delivery's person mentions against every source's records in the graph.
- `household_categories`: each household's computed category with the rule and records
  that decided it (`hub/diagnostics/rules.toml`), as of the day the graph's evidence reaches;
  after a load only the mahallas it touched (`hub.diagnostics.touched`), whole when the
  rules or the day changed.
- `notebook_findings`: per mahalla, people eligible for a notebook but not in it, and
  people in one but no longer eligible, with the reason (touched mahallas likewise).
- `monthly_indicators`: the monthly time series per mahalla, district, region, country.
- `mahalla_diagnostics`: per-mahalla indicators (after the categories they count).

Everything but the register waits for the register: every record refers to a mahalla.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Backoff,
    Failure,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    RetryRequested,
    asset,
)
from sqlalchemy.orm import Session

from connectors.errors import ConnectorError, RateLimitedError, RetriableSourceError
from hub.diagnostics.categories import refresh_household_categories
from hub.diagnostics.evidence import evidence_as_of
from hub.diagnostics.indicators import refresh_mahalla_indicators
from hub.diagnostics.monthly_store import refresh_monthly_indicators
from hub.diagnostics.notebooks import refresh_notebook_findings
from hub.diagnostics.rules import load_rules
from hub.diagnostics.touched import last_built, plan_refresh
from hub.graph.models import HouseholdCategoryEvidence, NotebookFinding
from pipelines.resources import HubDatabase
from pipelines.sources import SOURCES, SourceSpec
from pipelines.steps.land import LandingReport, land_bank, land_files, land_tax
from pipelines.steps.load import load_pending
from pipelines.steps.stage import stage_pending

# The APIs are flaky by nature: the connector retries each request, Dagster the whole walk.
# The retry is requested by the asset itself, for a source that is unavailable only: as a
# step's retry policy, Dagster would also retry a step stopped by SIGTERM/SIGINT, so a run
# told to stop would start its walk again instead of stopping.
API_RETRY = RetryPolicy(max_retries=2, delay=2, backoff=Backoff.EXPONENTIAL)


def agency_key(source: str) -> str:
    return f"{source}_agency"


def _land(context: AssetExecutionContext, source: str) -> LandingReport:
    hub: HubDatabase = context.resources.hub_db
    agency: Any = getattr(context.resources, agency_key(source))
    run_id = context.run.run_id
    if source == "tax":
        return land_tax(hub, agency, run_id)
    if source == "bank":
        return land_bank(hub, agency, run_id)
    return land_files(hub, agency, source, run_id)


def _retry(context: AssetExecutionContext) -> RetryRequested:
    attempt = context.retry_number + 1
    return RetryRequested(
        max_retries=API_RETRY.max_retries, seconds_to_wait=API_RETRY.calculate_delay(attempt)
    )


def _raw_asset(spec: SourceSpec) -> AssetsDefinition:
    @asset(
        name=f"raw_{spec.name}",
        group_name=spec.name,
        description=f"{spec.description} New deliveries, as the agency delivered them.",
        required_resource_keys={"hub_db", agency_key(spec.name)},
        kinds={"python", "parquet"},
    )
    def raw(context: AssetExecutionContext) -> MaterializeResult[None]:
        try:
            report = _land(context, spec.name)
        except RateLimitedError as exc:
            raise Failure(
                description=f"{spec.name} is rate limited: {exc} The graph keeps its last good "
                "data for this source; the saved cursor is unchanged.",
                allow_retries=False,
            ) from exc
        except RetriableSourceError as exc:
            failure = Failure(
                description=f"{spec.name} is unavailable: {exc}. The graph keeps its last good "
                "data for this source; the saved cursor is unchanged.",
                allow_retries=True,
            )
            if spec.transport != "api":
                raise failure from exc
            raise _retry(context) from failure
        except ConnectorError as exc:
            raise Failure(description=f"{spec.name}: {exc}", allow_retries=False) from exc
        return MaterializeResult(
            metadata={
                "deliveries": len(report.landed),
                "delivered": report.delivered,
                "accepted": report.accepted,
                "rejected": report.rejected,
                "rejected_by_rule": MetadataValue.json(report.rejected_by_rule),
                "quarantined_files": len(report.quarantined),
                "waiting_files": MetadataValue.json(report.waiting[:20]),
                "warnings": MetadataValue.json(report.warnings[:20]),
            }
        )

    return raw


def _staged_asset(spec: SourceSpec) -> AssetsDefinition:
    deps = [AssetKey(f"raw_{spec.name}")]
    if spec.name != "registry":
        deps.append(AssetKey("loaded_registry"))

    @asset(
        name=f"staged_{spec.name}",
        group_name=spec.name,
        deps=deps,
        description=f"{spec.description} Normalised and checked row by row; breaking rows "
        "are quarantined with their reasons.",
        required_resource_keys={"hub_db"},
        kinds={"polars", "parquet"},
    )
    def staged(context: AssetExecutionContext) -> MaterializeResult[None]:
        report = stage_pending(context.resources.hub_db, spec.name)
        return MaterializeResult(
            metadata={
                "deliveries": len(report.staged),
                "accepted": report.accepted,
                "duplicate_keys": report.duplicate_keys,
                "rejected_by_rule": MetadataValue.json(report.rejected_by_rule),
            }
        )

    return staged


def _loaded_asset(spec: SourceSpec) -> AssetsDefinition:
    @asset(
        name=f"loaded_{spec.name}",
        group_name=spec.name,
        deps=[AssetKey(f"staged_{spec.name}")],
        description=f"{spec.description} Linked to persons and written into the graph.",
        required_resource_keys={"hub_db"},
        kinds={"sqlalchemy"},
    )
    def loaded(context: AssetExecutionContext) -> MaterializeResult[None]:
        report = load_pending(context.resources.hub_db, spec.name)
        if report.superseded:
            context.log.warning(
                f"{report.superseded} {spec.name} rows set aside: a later-named file "
                "already delivered their records (later files win, SOURCES.md)."
            )
        return MaterializeResult(
            metadata={
                "deliveries": len(report.loaded),
                "rows": report.rows,
                "resolved_rejects": report.resolved_rejects,
                "superseded_by_later_files": report.superseded,
                "held": MetadataValue.json(report.held),
            }
        )

    return loaded


def _as_of(session: Session) -> date:
    """The day the graph's evidence reaches (today for an empty graph): a world dated in
    an earlier year is diagnosed with that year's rules."""
    return evidence_as_of(session) or date.today()


@asset(
    group_name="diagnostics",
    deps=[AssetKey(f"loaded_{name}") for name in SOURCES],
    description=(
        "Each household's computed category (1..4) beside the assessed one, with the rule, "
        "income components and records that decided it (household_category_evidence)."
    ),
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def household_categories(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    rules = load_rules()
    with hub.session() as session:
        as_of = _as_of(session)
        built = last_built(session, HouseholdCategoryEvidence)
        plan = plan_refresh(session, built, as_of, rules.version)
        computed = refresh_household_categories(session, as_of, rules, plan.mahalla_codes)
    disagreements = computed.filter(
        pl.col("assessed_category").is_not_null()
        & pl.col("computed_category").is_not_null()
        & (pl.col("assessed_category") != pl.col("computed_category"))
    )
    return MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "scope": plan.reason,
            "households": computed.height,
            "disagreements": disagreements.height,
            "by_rule": MetadataValue.json(dict(computed["rule"].value_counts().iter_rows())),
        }
    )


@asset(
    group_name="diagnostics",
    deps=[AssetKey(f"loaded_{name}") for name in SOURCES] + [AssetKey("household_categories")],
    description="Per-mahalla indicators (one current row per mahalla), from the graph.",
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def mahalla_diagnostics(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    with hub.session() as session:
        mahallas = refresh_mahalla_indicators(session)
    return MaterializeResult(metadata={"mahallas": mahallas})


@asset(
    group_name="diagnostics",
    deps=[AssetKey("household_categories")],
    description=(
        "Per mahalla, people eligible for the Iron, Women's or Youth notebook but not entered, "
        "and people entered but no longer eligible, each with the reason (notebook_finding)."
    ),
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def notebook_findings(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    rules = load_rules()
    with hub.session() as session:
        as_of = _as_of(session)
        built = last_built(session, NotebookFinding)
        plan = plan_refresh(session, built, as_of, rules.version, with_categories=True)
        found = refresh_notebook_findings(session, as_of, rules, plan.mahalla_codes)
    counts = found.group_by("notebook", "finding").len().sort("notebook", "finding")
    return MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "scope": plan.reason,
            "findings": found.height,
            "by_notebook": MetadataValue.json({f"{n}/{f}": c for n, f, c in counts.iter_rows()}),
        }
    )


@asset(
    group_name="diagnostics",
    deps=[AssetKey("household_categories")],
    description=(
        "Monthly figures per mahalla, district, region and country (monthly_indicator); a "
        "closed month changes only for late records, each change kept as a revision."
    ),
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def monthly_indicators(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    with hub.session() as session:
        as_of = _as_of(session)
        done = refresh_monthly_indicators(session, as_of)
    return MaterializeResult(
        metadata={
            "as_of": as_of.isoformat(),
            "written": done.written,
            "revised": done.revised,
            "kept_as_published": done.kept,
        }
    )


DIAGNOSTIC_ASSETS = (
    "household_categories",
    "notebook_findings",
    "monthly_indicators",
    "mahalla_diagnostics",
)
"""What every source's job refreshes after its load, in dependency order."""

ASSET_FACTORIES: tuple[Callable[[SourceSpec], AssetsDefinition], ...] = (
    _raw_asset,
    _staged_asset,
    _loaded_asset,
)

SOURCE_ASSETS: list[AssetsDefinition] = [
    factory(spec) for spec in SOURCES.values() for factory in ASSET_FACTORIES
]
ALL_ASSETS: list[AssetsDefinition] = [
    *SOURCE_ASSETS,
    household_categories,
    notebook_findings,
    monthly_indicators,
    mahalla_diagnostics,
]
