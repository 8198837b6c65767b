"""The diagnostics assets: what the graph says about households, people, mahallas, bodies
and assistants, rebuilt after the loads (each product one asset; see hub.diagnostics).

- `household_categories`: each household's computed category with the rule and records
  that decided it (`hub/diagnostics/rules.toml`), as of the day the graph's evidence
  reaches; after a load only the mahallas it touched (`hub.diagnostics.touched`), whole
  when the rules or the day changed.
- `notebook_findings`: per mahalla, people eligible for a notebook but not in it, and
  people in one but no longer eligible, with the reason (touched mahallas likewise).
- `monthly_indicators`, `monthly_report`: month-partitioned, in pipelines.monthly_assets.
- `body_ratings`, `assistant_ratings`: the quarterly ratings of the bodies appeals go to
  and of the assistants.
- `mahalla_diagnostics`: the current per-mahalla indicator row (after the categories).
"""

from datetime import date

import polars as pl
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from sqlalchemy.orm import Session

from hub.diagnostics.categories import refresh_household_categories
from hub.diagnostics.evidence import evidence_as_of
from hub.diagnostics.indicators import refresh_mahalla_indicators
from hub.diagnostics.notebooks import refresh_notebook_findings
from hub.diagnostics.ratings_assistants import refresh_assistant_ratings
from hub.diagnostics.ratings_bodies import refresh_body_ratings
from hub.diagnostics.rules import load_rules
from hub.diagnostics.touched import last_built, plan_refresh
from hub.graph.models import HouseholdCategoryEvidence, NotebookFinding
from pipelines.resources import HubDatabase
from pipelines.sources import SOURCES


def as_of_day(session: Session) -> date:
    """The day the graph's evidence reaches (today for an empty graph): a world dated in
    an earlier year is diagnosed with that year's rules."""
    return evidence_as_of(session) or date.today()


LOADS = [*(AssetKey(f"loaded_{name}") for name in SOURCES), AssetKey("linked_country")]
"""What the diagnostics wait for: every source's load, or, run by region, the country-wide
step after the region partitions (pipelines.regional_assets)."""


@asset(
    group_name="diagnostics",
    deps=[*LOADS],
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
        as_of = as_of_day(session)
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
    deps=[*LOADS, AssetKey("household_categories")],
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
        as_of = as_of_day(session)
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
    deps=[AssetKey("loaded_appeals"), AssetKey("linked_country")],
    description=(
        "Quarterly open rating of the state bodies appeals are addressed to: received, "
        "resolved, resolution rate, median and p90 days, overdue open, rank (body_rating)."
    ),
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def body_ratings(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    rules = load_rules()
    with hub.session() as session:
        as_of = as_of_day(session)
        rated = refresh_body_ratings(session, rules, as_of)
    return MaterializeResult(metadata={"as_of": as_of.isoformat(), "rows": rated.height})


@asset(
    group_name="diagnostics",
    deps=[AssetKey("monthly_indicators")],
    description=(
        "Quarterly rating of each mahalla's assistant from the published monthly figures: "
        "score, weighted components, ranks in district, region, country (assistant_rating)."
    ),
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def assistant_ratings(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub: HubDatabase = context.resources.hub_db
    with hub.session() as session:
        rated = refresh_assistant_ratings(session, load_rules())
    return MaterializeResult(metadata={"rows": rated.height})


DIAGNOSTIC_ASSETS = (
    "household_categories",
    "notebook_findings",
    "body_ratings",
    "mahalla_diagnostics",
)
"""What every source's job refreshes after its load, in dependency order (the monthly
products and the assistants' ratings built on them follow in `monthly_job`)."""


DIAGNOSTICS_ASSETS_DEFS = [
    household_categories,
    notebook_findings,
    body_ratings,
    assistant_ratings,
    mahalla_diagnostics,
]
