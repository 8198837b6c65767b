"""The country-wide step: what no region partition can do alone.

1. The rows with no region (no mahalla code, or one naming none of the 14 regions) of
   every staged delivery are loaded, linked against every region's records
   (`load_region_pending(..., COUNTRY)`), sources in load order.
2. Persons founded apart in several regions are linked: a person registered in one region
   and borrowing in another is a piece in each after the region partitions. The records of
   every person holding a record that a blocking rule of the model could pair with a
   record of another region (`pipelines.regions.spanning`) go through the same engine
   together; the pieces it puts in one cluster merge through the redirect mechanism, the
   survivor chosen by `pipelines.linking.founding` so that it keeps the hub id the whole
   (unpartitioned) load gives the person, whatever order the regions ran in.

Both run in transactions holding the linking lock exclusively (no region links meanwhile).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from hub.graph.models import SourceRecord
from hub.graph.scratch import keys_of
from hub.graph.types import utc_now
from hub.identity.linkage import resolve_identities
from pipelines.linking.founding import founding_ages
from pipelines.linking.locks import lock_linking
from pipelines.linking.records import engine_mentions, known_records_query, read_known
from pipelines.linking.step import assign_resolution
from pipelines.loading.context import LoadContext
from pipelines.regions.codes import COUNTRY
from pipelines.regions.loading import load_region_pending
from pipelines.regions.spanning import Spanning, spanning_records
from pipelines.resources import HubDatabase
from pipelines.sources import SOURCES

_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]


@dataclass
class CountryReport:
    rows_without_region: int = 0
    records_compared: int = 0
    persons_compared: int = 0
    merged: int = 0
    spanning: dict[str, int] = field(default_factory=dict)
    """Records each grouping of `pipelines.regions.spanning` found (before persons whole)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Seconds of the parts: step 1; step 2's lock, finding the spanning records, reading
    them, the engine, writing what it decided."""


Finder = Callable[[Session], Spanning]


class _Clock:
    def __init__(self, into: dict[str, float]) -> None:
        self._into, self._last = into, time.perf_counter()

    def lap(self, part: str) -> None:
        now = time.perf_counter()
        self._into[part] = now - self._last
        self._last = now


def _records_of(session: Session, persons: list[int], unlinked: list[int]) -> pl.DataFrame:
    with keys_of(session, _RECORDS.c.person_id, persons) as keys:
        whole = read_known(
            session,
            known_records_query().where(SourceRecord.person_id.in_(select(keys.c.person_id))),
        )
    with keys_of(session, _RECORDS.c.id, unlinked) as keys:
        alone = read_known(
            session, known_records_query().where(SourceRecord.id.in_(select(keys.c.id)))
        )
    return pl.concat([whole, alone]).unique("record_id", keep="first").sort("record_id")


def link_across_regions(hub: HubDatabase, find: Finder = spanning_records) -> CountryReport:
    """Step 2 of the module docstring, in one transaction (`find`: which records to compare,
    `pipelines.regions.spanning`)."""
    report = CountryReport()
    clock = _Clock(report.seconds)
    with hub.load_session() as session:
        lock_linking(session, COUNTRY)
        clock.lap("lock")
        spanning = find(session)
        clock.lap("find")
        records = _records_of(session, spanning.persons, spanning.unlinked)
        clock.lap("read")
        report.records_compared = records.height
        report.persons_compared = len(spanning.persons)
        report.spanning = spanning.found
        if records.is_empty():
            return report
        resolution = resolve_identities(engine_mentions(records))
        clock.lap("engine")
        # No delivery: every record compared is in the graph already, none is written anew.
        known = hub.known_mahallas()
        ctx = LoadContext(session, "country", 0, "country", utc_now(), known, region=COUNTRY)
        assigned = assign_resolution(
            ctx, records.with_columns(incoming=pl.lit(False)), resolution, [], founding_ages
        )
        before = assigned.select("person_hub_id").drop_nulls().n_unique()
        after = assigned.filter(pl.col("person_hub_id").is_not_null())["new_hub_id"].n_unique()
        report.merged = before - after
    clock.lap("assign")  # the commit included
    return report


def run_country_step(hub: HubDatabase) -> CountryReport:
    """Steps 1 and 2 of the module docstring."""
    started = time.perf_counter()
    rows = 0
    for source in SOURCES:
        if source != "registry":
            rows += load_region_pending(hub, source, COUNTRY).rows
    loaded = time.perf_counter() - started
    crossed = link_across_regions(hub)
    crossed.rows_without_region = rows
    crossed.seconds = {"without_region": loaded, **crossed.seconds}
    return crossed
