"""The country-wide step: what no region partition can do alone.

1. The rows with no region (no mahalla code, or one naming none of the 14 regions) of
   every staged delivery are loaded, linked against every region's records
   (`load_region_pending(..., COUNTRY)`), sources in load order.
2. Persons founded apart in several regions are linked: a person registered in one region
   and borrowing in another is a piece in each after the region partitions. The records of
   every person sharing a blocking key (PINFL, passport, phone, TIN, surname root and
   birth year) with a record of another region go through the same engine together; the
   pieces it puts in one cluster merge through the redirect mechanism, the survivor chosen
   by `pipelines.linking.founding` so that it keeps the hub id the whole (unpartitioned)
   load gives the person, whatever order the regions ran in.

Both run in transactions holding the linking lock exclusively (no region links meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Table, and_, distinct, func, select
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
from pipelines.resources import HubDatabase
from pipelines.sources import SOURCES

_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]
SPANNING_KEYS: tuple[tuple[str, ...], ...] = (
    ("pinfl",),
    ("passport",),
    ("phone",),
    ("tin",),
    ("surname_key", "birth_year"),
)
"""The keys that find persons of different regions to link as one: a person's own
identifiers, and a surname root with a birth year."""


@dataclass
class CountryReport:
    rows_without_region: int = 0
    records_compared: int = 0
    persons_compared: int = 0
    merged: int = 0


def _spanning_records(session: Session) -> tuple[list[int], list[int]]:
    """(person ids, ids of unlinked records) of the person records sharing a blocking key
    value with a record of another region."""
    record = _RECORDS
    region = func.substr(record.c.mahalla_code, 1, 4)
    persons: set[int] = set()
    unlinked: set[int] = set()
    for names in SPANNING_KEYS:
        columns = [record.c[n] for n in names]
        spanning = (
            select(*columns)
            .where(record.c.kind == "person", *(c.is_not(None) for c in columns))
            .group_by(*columns)
            .having(func.count(distinct(region)) > 1)
            .subquery()
        )
        found = select(record.c.id, record.c.person_id).join(
            spanning, and_(*(record.c[n] == spanning.c[n] for n in names))
        )
        for record_id, person_id in session.execute(found.where(record.c.kind == "person")):
            if person_id is None:
                unlinked.add(record_id)
            else:
                persons.add(person_id)
    return sorted(persons), sorted(unlinked)


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


def link_across_regions(hub: HubDatabase) -> CountryReport:
    """Step 2 of the module docstring, in one transaction."""
    report = CountryReport()
    with hub.session() as session:
        lock_linking(session, COUNTRY)
        persons, unlinked = _spanning_records(session)
        records = _records_of(session, persons, unlinked)
        report.records_compared = records.height
        report.persons_compared = len(persons)
        if records.is_empty():
            return report
        resolution = resolve_identities(engine_mentions(records))
        # No delivery: every record compared is in the graph already, none is written anew.
        known = hub.known_mahallas()
        ctx = LoadContext(session, "country", 0, "country", utc_now(), known, region=COUNTRY)
        assigned = assign_resolution(
            ctx, records.with_columns(incoming=pl.lit(False)), resolution, [], founding_ages
        )
        before = assigned.select("person_hub_id").drop_nulls().n_unique()
        after = assigned.filter(pl.col("person_hub_id").is_not_null())["new_hub_id"].n_unique()
        report.merged = before - after
    return report


def run_country_step(hub: HubDatabase) -> CountryReport:
    """Steps 1 and 2 of the module docstring."""
    report = CountryReport()
    for source in SOURCES:
        if source != "registry":
            report.rows_without_region += load_region_pending(hub, source, COUNTRY).rows
    crossed = link_across_regions(hub)
    crossed.rows_without_region = report.rows_without_region
    return crossed
