"""The hub run by region: each source's load partitioned by the 14 regions, then one
country-wide step.

- `region_loaded_<source>` (partitions: the 14 SOATO region codes, pipelines.regions.codes):
  the region's rows of the source's staged deliveries linked, against that region's
  records only, and written into the graph (pipelines.regions.loading). Within a region
  the sources load in the order the unpartitioned job loads them (each waits for the
  previous source's partition of the same region), so a person founded in one region gets
  the hub id the whole load gives it. Regions run at the same time (a run per region,
  several runs at once); a rerun or backfill of one region leaves the others untouched.
- `linked_country` (unpartitioned, after every region partition): the rows with no region
  loaded, and persons found in several regions linked as one (pipelines.regions.country).

Landing, staging and the register stay unpartitioned (raw_/staged_<source>,
loaded_registry, pipelines.assets): a delivery is a country-wide file or API window read
once, staging is one vectorised pass over it, and the register is small while every
region's load needs all of it. Monthly deliveries are not split by month here: a region
partition loads every pending delivery of its source, oldest first.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.regions.codes import REGIONS
from pipelines.regions.country import run_country_step
from pipelines.regions.loading import load_region_pending, waiting_regions
from pipelines.sources import SOURCES

REGIONAL_SOURCES = tuple(name for name in SOURCES if name != "registry")
"""The sources loaded by region, in load order (the register stays whole)."""


def _region_loaded_asset(source: str, previous: str | None) -> AssetsDefinition:
    deps = [AssetKey(f"staged_{source}")]
    if previous is not None:
        deps.append(AssetKey(f"region_loaded_{previous}"))

    @asset(
        name=f"region_loaded_{source}",
        group_name="regions",
        deps=deps,
        partitions_def=REGIONS,
        description=f"{SOURCES[source].description} One region's rows, linked against that "
        "region's records and written into the graph.",
        required_resource_keys={"hub_db"},
        kinds={"sqlalchemy"},
    )
    def loaded(context: AssetExecutionContext) -> MaterializeResult[None]:
        region = context.partition_key
        report = load_region_pending(context.resources.hub_db, source, region)
        return MaterializeResult(metadata={"region": region, **report.metadata()})

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
            "waiting_for_regions": MetadataValue.json(waiting),
        }
    )


REGIONAL_ASSETS: list[AssetsDefinition] = [*REGIONAL_LOAD_ASSETS, linked_country]
