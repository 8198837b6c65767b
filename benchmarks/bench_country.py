"""Where the country step's time goes, and what it compares beside what truly crosses regions.

    uv run python benchmarks/bench_scale.py --regions 1 2 4 --people 100000 --no-linkage \\
        --keep-regions --prefix PFX --worlds DIR
    uv run python benchmarks/bench_country.py --regions 1 2 4 --people 100000 \\
        --prefix PFX --worlds DIR

bench_scale.py `--keep-regions` keeps each graph as the region runs left it (database
`<prefix>_regions_<N>x<P>`, landing store `<worlds>/<that name>-data`); `--build` here makes
the same graphs without timing the region runs (country_graph.py). Here, for each N and
each selection (`--selections`), a copy of it runs the country step: the rows with no
region, then the link across regions with each part timed (finding the spanning records,
reading them, the engine, writing). Selections:

- `rules`: pipelines.regions.spanning, the model's blocking rules that can cross regions;
- `surname-year`: the selection before it (every record sharing a PINFL, a passport or a
  phone as delivered, a TIN, or a surname root and birth year with another region).

Printed, one row per N and selection: records and persons compared, merges, the parts'
seconds, the persons the world's truth has in more than one region (their records'
delivered mahallas), how many of them end as one hub id, how many of the graph's persons
hold records of several truth persons; and whether the selections' graphs have the same
persons. The copies are dropped; the kept graphs with `--drop`.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import cast

import polars as pl
from bench_pipeline import database_prefix
from bench_scale import POSTGRES
from country_graph import build_regions_graph, kept_name
from sqlalchemy import Table, and_, create_engine, distinct, func, select, text
from sqlalchemy.orm import Session

from hub.graph.models import Person, SourceRecord
from pipelines.regions.codes import COUNTRY
from pipelines.regions.country import CountryReport, link_across_regions
from pipelines.regions.loading import load_region_pending
from pipelines.regions.spanning import Spanning, spanning_records
from pipelines.resources import HubDatabase
from pipelines.sources import SOURCES

_RECORDS = cast(Table, SourceRecord.__table__)
SURNAME_YEAR_KEYS = (("pinfl",), ("passport",), ("phone",), ("tin",), ("surname_key", "birth_year"))


def surname_year(session: Session) -> Spanning:
    """The selection before `rules`: records sharing any SURNAME_YEAR_KEYS value with a
    record of another region (the code the country step ran until this benchmark)."""
    record = _RECORDS
    region = func.substr(record.c.mahalla_code, 1, 4)
    persons: set[int] = set()
    unlinked: set[int] = set()
    hits: dict[str, int] = {}
    for names in SURNAME_YEAR_KEYS:
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
        rows = session.execute(found.where(record.c.kind == "person")).all()
        hits["+".join(names)] = len(rows)
        for record_id, person_id in rows:
            if person_id is None:
                unlinked.add(record_id)
            else:
                persons.add(person_id)
    return Spanning(sorted(persons), sorted(unlinked), hits)


SELECTIONS = {"rules": spanning_records, "surname-year": surname_year}


def truth_persons(world: Path) -> pl.DataFrame:
    """(source, record_key, truth person) of the world's person records."""
    with (world / "truth" / "records.csv").open(encoding="utf-8") as handle:
        rows = [
            (r["source"], r["record_key"], r["person_id"])
            for r in csv.DictReader(handle)
            if r["entity"] == "person"
        ]
    return pl.DataFrame(rows, schema=["source", "record_key", "truth"], orient="row")


def crossing_truth(hub: HubDatabase, truth: pl.DataFrame) -> tuple[int, int, int]:
    """Truth persons whose records were delivered in more than one region, how many of
    them the graph holds as one hub id, and the graph's persons mixing truth persons."""
    query = (
        select(
            SourceRecord.source, SourceRecord.record_key, SourceRecord.mahalla_code, Person.hub_id
        )
        .join(Person, Person.id == SourceRecord.person_id, isouter=True)
        .where(SourceRecord.kind == "person")
    )
    with hub.session() as session:
        rows = session.execute(query).all()
    graph = pl.DataFrame(
        rows, schema=["source", "record_key", "mahalla_code", "hub_id"], orient="row"
    )
    joined = graph.join(truth, on=["source", "record_key"]).with_columns(
        region=pl.col("mahalla_code").str.slice(0, 4)
    )
    per = joined.group_by("truth").agg(
        regions=pl.col("region").drop_nulls().n_unique(), ids=pl.col("hub_id").n_unique()
    )
    crossing = per.filter(pl.col("regions") > 1)
    mixed = joined.drop_nulls("hub_id").group_by("hub_id").agg(pl.col("truth").n_unique())
    return (
        crossing.height,
        crossing.filter(pl.col("ids") == 1).height,
        mixed.filter(pl.col("truth") > 1).height,
    )


Graph = set[frozenset[tuple[str, str, str]]]
"""A graph's persons: each the set of its (hub id, source, record key)."""


def persons(hub: HubDatabase) -> Graph:
    query = select(Person.hub_id, SourceRecord.source, SourceRecord.record_key).join(
        SourceRecord, SourceRecord.person_id == Person.id
    )
    found: dict[str, set[tuple[str, str, str]]] = {}
    with hub.session() as session:
        for hub_id, source, key in session.execute(query):
            found.setdefault(hub_id, set()).add((hub_id, source, key))
    return {frozenset(records) for records in found.values()}


def country_step(hub: HubDatabase, selection: str) -> tuple[CountryReport, float]:
    """Steps 1 and 2 of pipelines.regions.country with the `selection`; step 1's seconds."""
    started = time.perf_counter()
    for source in SOURCES:
        if source != "registry":
            load_region_pending(hub, source, COUNTRY)
    step_1 = time.perf_counter() - started
    return link_across_regions(hub, SELECTIONS[selection]), step_1


def _admin(statement: str) -> None:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def run(kept: str, landing: Path, selection: str, world: Path) -> tuple[str, Graph]:
    copy = f"{kept}_{uuid.uuid4().hex[:6]}"
    # A template must have no session: end those its builder left idle (this prefix's).
    _admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{kept}' AND pid <> pg_backend_pid()"
    )
    _admin(f'CREATE DATABASE "{copy}" TEMPLATE "{kept}"')
    try:
        url = f"{POSTGRES.rsplit('/', 1)[0]}/{copy}"
        data = landing.parent / f"landing-{copy}"
        shutil.copytree(landing, data)  # step 1 marks what it loaded in the store
        hub = HubDatabase(database_url=url, landing_dir=str(data))
        started = time.perf_counter()
        report, step_1 = country_step(hub, selection)
        wall = time.perf_counter() - started
        crossing, whole, mixed = crossing_truth(hub, truth_persons(world))
        graph = persons(hub)
        hub.engine().dispose()
        shutil.rmtree(data, ignore_errors=True)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    parts = " ".join(f"{k} {v:.1f}" for k, v in report.seconds.items())
    row = (
        f"| {selection} | {wall:.1f} | {step_1:.1f} | {parts} | {report.records_compared:,} "
        f"| {report.persons_compared:,} | {report.merged:,} | {crossing:,} | {whole:,} "
        f"| {mixed:,} |"
    )
    found = ", ".join(f"{k} {v:,}" for k, v in report.spanning.items())
    return f"{row} {found} |", graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--people", type=int, default=20_000, help="people per region")
    parser.add_argument("--worlds", type=Path, required=True)
    parser.add_argument("--prefix", type=database_prefix, required=True)
    parser.add_argument("--selections", nargs="+", default=list(SELECTIONS), choices=SELECTIONS)
    parser.add_argument("--drop", action="store_true", help="drop the kept graphs at the end")
    parser.add_argument(
        "--build",
        action="store_true",
        help="only build the kept graphs, in process (country_graph.py; nothing timed)",
    )
    args = parser.parse_args()
    if args.build:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        for regions in args.regions:
            build_regions_graph(regions, args.people, args.worlds, args.prefix)
        return
    load = os.getloadavg()
    sys.stdout.write(
        f"\nbench_country: regions of {args.people:,} people; load {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}\n| regions | selection | country s | rows without region s | "
        "parts s | records compared | persons compared | merged | truth persons in >1 "
        "region | of them one hub id | graph persons mixing truth persons "
        "| records found per grouping |\n" + "|---" * 12 + "|\n"
    )
    for regions in args.regions:
        kept = kept_name(args.prefix, regions, args.people)
        world = args.worlds / f"regions-{regions}x{args.people}"
        landing = args.worlds / f"{kept}-data" / "landing"
        graphs = []
        for selection in args.selections:
            row, graph = run(kept, landing, selection, world)
            graphs.append(graph)
            sys.stdout.write(f"| {regions} {row}\n")
            sys.stdout.flush()
        same = all(g == graphs[0] for g in graphs)
        sys.stdout.write(f"selections' graphs the same persons and hub ids: {same}\n")
        if args.drop:
            _admin(f'DROP DATABASE IF EXISTS "{kept}" WITH (FORCE)')
            shutil.rmtree(landing.parent, ignore_errors=True)
    load = os.getloadavg()
    sys.stdout.write(f"load at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")


if __name__ == "__main__":
    main()
