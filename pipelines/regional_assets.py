"""The hub run by region: each source's load partitioned by the 14 regions, then one
country-wide step.

- `region_loaded_<source>` (partitions: the 14 SOATO region codes, pipelines.regions.codes;
  for a monthly source, employment, region x delivery month, pipelines.regions.months):
  the region's rows of the source's staged deliveries (of that month's) linked, against
  that region's records only, and written into the graph (pipelines.regions.loading).
  Within a region the sources load in the order the unpartitioned job loads them (each
  waits for the previous source's partitions of the same region; a month for the region's
  previous month; the source after a monthly one for all the region's months), so a person
  founded in one region gets the hub id the whole load gives it; the loads check that
  order themselves (pipelines.regions.order). Regions run at the same time (runs per
  region, several at once); a rerun or backfill of one region, or of one region's month,
  leaves the others untouched.
- `linked_country` (unpartitioned, after every region partition): the rows with no region
  loaded, and persons found in several regions linked as one (pipelines.regions.country).

Landing, staging and the register stay unpartitioned (raw_/staged_<source>,
loaded_registry, pipelines.assets): a delivery is a country-wide file or API window read
once, staging is one vectorised pass over it, and the register is small while every
region's load needs all of it. A region partition of any other source loads every pending
delivery of its source, oldest first.
"""

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DimensionPartitionMapping,
    IdentityPartitionMapping,
    MaterializeResult,
    MetadataValue,
    MultiPartitionMapping,
    PartitionMapping,
    asset,
)

from pipelines.regions.codes import REGIONS
from pipelines.regions.country import run_country_step
from pipelines.regions.loading import load_region_pending, waiting_regions
from pipelines.regions.months import (
    EVERY_MONTH,
    MONTHLY_SOURCES,
    PREVIOUS_MONTH,
    REGION,
    REGION_MONTHS,
    split_key,
)
from pipelines.regions.order import REGIONAL_SOURCES
from pipelines.sources import SOURCES

__all__ = ["REGIONAL_ASSETS", "REGIONAL_LOAD_ASSETS", "REGIONAL_SOURCES", "linked_country"]


def _after(previous: str, source: str) -> PartitionMapping | None:
    """How `source`'s region partitions depend on `previous`'s: the same region (every
    month of it where `previous` is monthly)."""
    monthly = (previous in MONTHLY_SOURCES, source in MONTHLY_SOURCES)
    if monthly == (True, True):
        same_region = DimensionPartitionMapping(REGION, IdentityPartitionMapping())
        return MultiPartitionMapping({REGION: same_region})
    return EVERY_MONTH if any(monthly) else None


def _region_loaded_asset(source: str, previous: str | None) -> AssetsDefinition:
    monthly = source in MONTHLY_SOURCES
    key = f"region_loaded_{source}"
    deps = [AssetDep(f"staged_{source}")]
    if previous is not None:
        deps.append(
            AssetDep(f"region_loaded_{previous}", partition_mapping=_after(previous, source))
        )
    if monthly:
        deps.append(AssetDep(key, partition_mapping=PREVIOUS_MONTH))
    rows = "One region's rows of one month's files" if monthly else "One region's rows"

    @asset(
        name=key,
        group_name="regions",
        deps=deps,
        partitions_def=REGION_MONTHS if monthly else REGIONS,
        description=f"{SOURCES[source].description} {rows}, linked against that "
        "region's records and written into the graph.",
        required_resource_keys={"hub_db"},
        kinds={"sqlalchemy"},
    )
    def loaded(context: AssetExecutionContext) -> MaterializeResult[None]:
        if monthly:
            region, month = split_key(context.partition_key)
            where: dict[str, str] = {"region": region, "month": month}
        else:
            region, month = context.partition_key, None
            where = {"region": region}
        report = load_region_pending(context.resources.hub_db, source, region, month)
        return MaterializeResult(metadata={**where, **report.metadata()})

    return loaded


REGIONAL_LOAD_ASSETS: list[AssetsDefinition] = [
    _region_loaded_asset(source, REGIONAL_SOURCES[i - 1] if i else None)
    for i, source in enumerate(REGIONAL_SOURCES)
]


@asset(
    group_name="regions",
    deps=[AssetKey(f"region_loaded_{REGIONAL_SOURCES[-1]}")],
    description="The country-wide step after the region partitions: rows with no region "
    "loaded, and persons found in several regions linked as one, keeping stable hub ids.",
    required_resource_keys={"hub_db"},
    kinds={"sqlalchemy"},
)
def linked_country(context: AssetExecutionContext) -> MaterializeResult[None]:
    hub = context.resources.hub_db
    report = run_country_step(hub)
    waiting = {source: waiting_regions(hub, source) for source in REGIONAL_SOURCES}
    waiting = {source: found for source, found in waiting.items() if found}
    if waiting:
        context.log.warning(
            f"Deliveries still waiting for region partitions that have not run: {waiting}"
        )
    return MaterializeResult(
        metadata={
            "rows_without_region": report.rows_without_region,
            "persons_compared_across_regions": report.persons_compared,
            "records_compared_across_regions": report.records_compared,
            "merged_across_regions": report.merged,
            "spanning_records": MetadataValue.json(report.spanning),
            "seconds": MetadataValue.json({k: round(v, 2) for k, v in report.seconds.items()}),
            "waiting_for_regions": MetadataValue.json(waiting),
        }
    )


REGIONAL_ASSETS: list[AssetsDefinition] = [*REGIONAL_LOAD_ASSETS, linked_country]
