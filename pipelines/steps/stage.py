"""Stage: normalise each landed delivery, quarantine rows that break a rule, keep the rest.

Counts after staging: `accepted` = landed rows less those staging rejected (a key repeated
inside one delivery counts as accepted: its later row is the one loaded), `rejected` =
unreadable rows + rule breaks, so `delivered = accepted + rejected` still holds.
`duplicate_keys` counts the delivered units that repeated an earlier unit's record key.

Besides each source's row rules, every row must keep the blocking rules of its table's
suite that judge one value (`pipelines.quality.row_gate`): a row breaking one is
quarantined here, so the blocking checks only ever judge a delivery's structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl
from sqlalchemy import select

from hub.graph.models import Delivery
from pipelines import deliveries
from pipelines.quality.row_gate import gate_rows
from pipelines.quarantine import quarantine_rule_breaks
from pipelines.resources import HubDatabase
from pipelines.staging.plausible_dates import PlausibleDates
from pipelines.staging.rules import REJECT_SCHEMA, raw_record
from pipelines.staging.schemas import CARRIED_TABLES, SOURCE_TABLES
from pipelines.staging.tables import STAGERS, StagedTable, StagingContext


@dataclass
class StagingReport:
    source: str
    staged: list[int] = field(default_factory=list)
    accepted: int = 0
    duplicate_keys: int = 0
    rejected_by_rule: dict[str, int] = field(default_factory=dict)


def _known_mahallas(hub: HubDatabase, source: str) -> pl.Series:
    known = set(hub.known_mahallas())
    if source == "registry":
        # Mahallas staged but not loaded yet count too: assistants arrive in the same run.
        waiting = staged_frames(hub, "registry", "registry_mahallas")
        if not waiting.is_empty():
            known.update(waiting["mahalla_code"])
    return pl.Series("mahalla_code", sorted(known), dtype=pl.String)


def _orphan_members(households: StagedTable, members: StagedTable) -> StagedTable:
    """Members of a household that staging rejected go to the quarantine with it."""
    kept_ids = households.frame["survey_id"].implode()
    orphans = members.frame.filter(~pl.col("survey_id").is_in(kept_ids))
    if orphans.is_empty():
        return members
    rejects = orphans.select(
        "record_key",
        "origin",
        pl.lit("household_rejected").alias("rule"),
        pl.concat_list(
            pl.concat_str([pl.lit("household '"), "survey_id", pl.lit("' was rejected")])
        ).alias("reasons"),
        raw_record(orphans.columns),
    ).cast(REJECT_SCHEMA)  # type: ignore[arg-type]
    return StagedTable(
        members.table,
        members.frame.filter(pl.col("survey_id").is_in(kept_ids)),
        pl.concat([members.rejects, rejects]),
    )


def _gated(staged: StagedTable) -> StagedTable:
    kept, rejects = gate_rows(staged.table, staged.frame)
    if rejects.is_empty():
        return staged
    return StagedTable(staged.table, kept, pl.concat([staged.rejects, rejects]), staged.duplicates)


def stage_pending(
    hub: HubDatabase, source: str, today: date | None = None, dates: PlausibleDates | None = None
) -> StagingReport:
    """Stage every landed delivery of `source`, oldest first; `dates` defaults to the
    ranges of `HUB_PLAUSIBLE_DATES` (read and checked here, before any delivery)."""
    report = StagingReport(source)
    dates = PlausibleDates.from_env() if dates is None else dates
    store = hub.landing()
    with hub.session() as session:
        pending = deliveries.pending(session, source, "landed")
    for ref in pending:
        known = _known_mahallas(hub, source)
        ctx = StagingContext(known, today or date.today(), ref.id, ref.name, dates)
        results: dict[str, StagedTable] = {}
        landed_rows = 0
        for table in SOURCE_TABLES[source]:
            landed = store.read_parts("landed", source, ref.id, table)
            if landed is None:
                continue
            landed_rows += landed.height
            results[table] = _gated(STAGERS[table](landed, ctx))
        if "survey_members" in results and "survey_households" in results:
            results["survey_members"] = _orphan_members(
                results["survey_households"], results["survey_members"]
            )
        rejected = 0
        with hub.session() as session:
            for table, staged in results.items():
                store.write("staged", source, ref.id, table, staged.frame)
                rejected += quarantine_rule_breaks(session, source, ref.id, staged.rejects)
                for rule, count in staged.rejects.group_by("rule").len().iter_rows():
                    report.rejected_by_rule[rule] = report.rejected_by_rule.get(rule, 0) + count
            unreadable = session.scalar(select(Delivery.rejected).where(Delivery.id == ref.id))
            accepted = landed_rows - rejected
            duplicates = sum(
                staged.duplicates
                for table, staged in results.items()
                if table not in CARRIED_TABLES
            )
            deliveries.advance(
                session,
                ref.id,
                "staged",
                accepted=accepted,
                rejected=(unreadable or 0) + rejected,
                delivered=accepted + (unreadable or 0) + rejected,
                duplicate_keys=duplicates,
            )
        report.staged.append(ref.id)
        report.accepted += accepted
        report.duplicate_keys += duplicates
    return report


def staged_frames(hub: HubDatabase, source: str, table: str) -> pl.DataFrame:
    """The staged rows of `table` waiting to be loaded, as the graph will receive them.

    Deliveries are taken oldest first and a key delivered again keeps its latest row, so
    the quality checks see one row per record key (the sources' "later wins").
    """
    store = hub.landing()
    with hub.session() as session:
        pending = deliveries.pending(session, source, "staged")
    read = (store.read_parts("staged", source, ref.id, table) for ref in pending)
    frames = [frame for frame in read if frame is not None]
    if not frames:
        return pl.DataFrame()
    combined = pl.concat(frames, how="vertical_relaxed")
    return combined.unique(subset="record_key", keep="last", maintain_order=True)
