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
- the diagnostics (`pipelines/diagnostics_assets.py`): categories, notebook findings,
  monthly indicators, ratings and the per-mahalla row, after the loads.

Everything but the register waits for the register: every record refers to a mahalla.
Run by region instead, the loads are `region_loaded_<source>` partitions and one
country-wide step (`pipelines.regional_assets`); landing and staging are shared.
"""

from collections.abc import Callable
from typing import Any

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

from connectors.errors import ConnectorError, RateLimitedError, RetriableSourceError
from pipelines.diagnostics_assets import DIAGNOSTICS_ASSETS_DEFS
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


def load_order_tags(source: str) -> dict[str, str]:
    """Step priority by the source's place in SOURCES: one run stages and loads the sources
    in that order (Dagster runs the ready step of highest priority first). Hub ids depend
    on the order persons are founded in, and the region partitions load in this order too
    (pipelines.regional_assets), so both give a person the same id."""
    return {"dagster/priority": str(len(SOURCES) - list(SOURCES).index(source))}


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
        op_tags=load_order_tags(spec.name),
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
        op_tags=load_order_tags(spec.name),
    )
    def loaded(context: AssetExecutionContext) -> MaterializeResult[None]:
        report = load_pending(context.resources.hub_db, spec.name)
        if report.superseded:
            context.log.warning(
                f"{report.superseded} {spec.name} rows set aside: a later-named file "
                "already delivered their records (later files win, SOURCES.md)."
            )
        return MaterializeResult(metadata=report.metadata())

    return loaded


ASSET_FACTORIES: tuple[Callable[[SourceSpec], AssetsDefinition], ...] = (
    _raw_asset,
    _staged_asset,
    _loaded_asset,
)

SOURCE_ASSETS: list[AssetsDefinition] = [
    factory(spec) for spec in SOURCES.values() for factory in ASSET_FACTORIES
]
ALL_ASSETS: list[AssetsDefinition] = [*SOURCE_ASSETS, *DIAGNOSTICS_ASSETS_DEFS]
"""The unpartitioned assets: what one run materialises without a partition (the
month-partitioned ones, pipelines.monthly_assets, need a month or a range of months)."""
