"""Great Expectations suites run as Dagster asset checks on every staged source.

Per staged table two checks: `<table>_structure` (blocking: a failure stops the source's
load, the deliveries stay staged) and `<table>_quality` (warnings: rates, ranges,
identifier validity). One GX validation feeds both. Checks look at the deliveries waiting
to be loaded; with nothing new they pass and say so.

On each raw asset, `delivered_recently` (a warning) fails while the source has delivered
nothing new for longer than its window (pipelines/freshness.py), an empty rerun included.

On each loaded asset, `no_held_delivery` (a warning) fails while a delivery of the source
waits for an engineer's confirmation (pipelines/deliveries.py: `held`), naming each one,
its reason and the command that confirms it.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    asset_check,
    multi_asset_check,
)

from pipelines import deliveries, freshness
from pipelines.quality.validate import validate_table
from pipelines.resources import HubDatabase
from pipelines.settings import freshness_variable, load_pipeline_settings
from pipelines.sources import SOURCES
from pipelines.staging.schemas import SOURCE_TABLES
from pipelines.steps.stage import staged_frames


def _specs(source: str) -> list[AssetCheckSpec]:
    asset = AssetKey(f"staged_{source}")
    specs = []
    for table in SOURCE_TABLES[source]:
        specs.append(
            AssetCheckSpec(
                f"{table}_structure",
                asset=asset,
                blocking=True,
                description=f"Structure of {table}: columns, types, keys, allowed values.",
            )
        )
        specs.append(
            AssetCheckSpec(
                f"{table}_quality",
                asset=asset,
                description=f"Quality of {table}: identifier validity, null rates, ranges "
                "(warnings).",
            )
        )
    return specs


def _quality_checks(source: str) -> AssetChecksDefinition:
    @multi_asset_check(
        name=f"quality_{source}",
        specs=_specs(source),
        required_resource_keys={"hub_db"},
    )
    def checks(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        hub: HubDatabase = context.resources.hub_db
        asset = AssetKey(f"staged_{source}")
        for table in SOURCE_TABLES[source]:
            frame = staged_frames(hub, source, table)
            if frame.is_empty():
                for suffix in ("structure", "quality"):
                    yield AssetCheckResult(
                        asset_key=asset,
                        check_name=f"{table}_{suffix}",
                        passed=True,
                        metadata={"rows": 0, "note": "no staged delivery waiting to load"},
                    )
                continue
            report = validate_table(table, frame)
            metadata = report.to_metadata()
            yield AssetCheckResult(
                asset_key=asset,
                check_name=f"{table}_structure",
                passed=not report.blocking_failures,
                severity=AssetCheckSeverity.ERROR,
                metadata=metadata,
            )
            yield AssetCheckResult(
                asset_key=asset,
                check_name=f"{table}_quality",
                passed=not report.warnings,
                severity=AssetCheckSeverity.WARN,
                metadata=metadata,
            )

    return checks


def _held_check(source: str) -> AssetChecksDefinition:
    @asset_check(
        name="no_held_delivery",
        asset=AssetKey(f"loaded_{source}"),
        required_resource_keys={"hub_db"},
        description=f"No {source} delivery is held waiting for an engineer's confirmation.",
    )
    def held(context: AssetCheckExecutionContext) -> AssetCheckResult:
        hub: HubDatabase = context.resources.hub_db
        with hub.session() as session:
            found = deliveries.held(session, source)
        described = [
            {"id": d.id, "name": d.name, "reason": d.reason, "confirm": d.confirm_command}
            for d in found
        ]
        return AssetCheckResult(
            passed=not found,
            severity=AssetCheckSeverity.WARN,
            metadata={"held": len(found), "deliveries": MetadataValue.json(described)},
        )

    return held


def _fresh_check(source: str) -> AssetChecksDefinition:
    @asset_check(
        name="delivered_recently",
        asset=AssetKey(f"raw_{source}"),
        required_resource_keys={"hub_db"},
        description=f"{source} delivered something new within its window "
        f"({freshness_variable(source)} days).",
    )
    def fresh(context: AssetCheckExecutionContext) -> AssetCheckResult:
        hub: HubDatabase = context.resources.hub_db
        window = load_pipeline_settings().freshness_window(source)
        with hub.session() as session:
            found = freshness.judge(session, source, window)
        last = found.last_new_delivery_at
        return AssetCheckResult(
            passed=found.fresh,
            severity=AssetCheckSeverity.WARN,
            description=found.description(),
            metadata={
                "last_new_delivery_at": last.isoformat() if last is not None else "never",
                "window_days": window,
                "age_days": round(found.age_days, 2) if found.age_days is not None else -1,
            },
        )

    return fresh


QUALITY_CHECKS: list[AssetChecksDefinition] = [
    *(_quality_checks(name) for name in SOURCES),
    *(_held_check(name) for name in SOURCES),
    *(_fresh_check(name) for name in SOURCES),
]
