"""Which records already in the graph an incoming delivery's mentions are linked against.

Incremental linking does not relink everything: it takes the graph's mention records that
the saved model's blocking rules could pair with an incoming mention (and that are not
themselves being redelivered), then every record of the persons those belong to (a person
is compared whole, so a merge or a split sees all its evidence), plus unlinked records
found that way (a later delivery may give them the evidence they lacked).

Finding them takes two steps:

1. one indexed lookup per key family the rules are built from (`lookups.FAMILIES`): the same
   PINFL, passport, phone or TIN; surname root with the PINFL's head, its tail or the
   birth date (a record without a birth date: the date its PINFL encodes); given name,
   birth date and region; surname root, given initial and mahalla. The incoming keys go
   into a temporary table and each lookup is one join in the database, so the cost grows
   with the rows found, not with round trips.
2. those records through the engine's own features, kept only where some blocking rule's
   equalities all hold with an incoming mention (`blocking.reachable`).

A wider lookup (every record of a surname root born the same year, or living in the same
mahalla) pulled in most of the graph's records of common surnames, then their persons
whole: an employment delivery of 5% of the people read and linked a large share of the
graph.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

import polars as pl
from sqlalchemy import Select, Table, select, union_all
from sqlalchemy.orm import Session

from hub.graph.models import SourceRecord
from hub.graph.scratch import drop, keys_of, scratch_table
from hub.identity.linkage import load_latest_model
from hub.identity.linkage.features import mention_features
from hub.identity.names.fold import key_expansions
from pipelines.linking.blocking import check_covered, model_rules, reachable
from pipelines.linking.lookups import FAMILIES, KEYS
from pipelines.linking.records import (
    engine_mentions,
    known_records_query,
    mention_id,
    read_frame,
    read_known,
)
from pipelines.linking.region_scans import lookup_plans
from pipelines.regions.codes import COUNTRY, code_in_region

log = logging.getLogger(__name__)
_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]
_HIT_COLUMNS: Final[dict[str, Any]] = {
    "record_id": pl.Int64,
    "person_id": pl.Int64,
    "source": pl.String,
    "record_key": pl.String,
    "pinfl": pl.String,
    "full_name": pl.String,
    "stated_birth_on": pl.Date,
    "stated_sex": pl.String,
    "mahalla_code": pl.String,
    "household_key": pl.String,
    "passport": pl.String,
    "phone": pl.String,
    "tin": pl.String,
}


def incoming_keys(incoming: pl.DataFrame, features: pl.DataFrame) -> pl.DataFrame:
    """The lookups' keys of `incoming` (RECORD_COLUMNS) from their engine `features`: as
    the engine reads them (the TIN as delivered); a name key with lost letters (`?`) also
    as each of the keys it can stand for."""
    given = incoming["name_key"].str.split("|").list.get(1, null_on_oob=True)
    keys = features.select(
        "pinfl",
        "pinfl_head",
        "pinfl_tail",
        "region",
        "mahalla_code",
        pl.concat_list(
            pl.col("surname_key"),
            pl.Series(map(_expanded, incoming["surname_key"]), dtype=pl.List(pl.String)),
        ).alias("surname_key"),
        pl.concat_list(
            pl.col("given_key"), pl.Series(map(_expanded, given), dtype=pl.List(pl.String))
        ).alias("given_key"),
        pl.col("birth_any").str.strptime(pl.Date, "%Y%m%d", strict=False).alias("birth_on"),
        pl.concat_str(
            pl.col("birth_any").str.slice(6, 2),
            pl.col("birth_any").str.slice(4, 2),
            pl.col("birth_any").str.slice(2, 2),
        ).alias("born_ddmmyy"),
        "passport",
        "phone",
    ).hstack(incoming.select("tin"))
    keys = keys.explode("surname_key").explode("given_key")
    initial = pl.col("given_key").str.slice(0, 1)
    return keys.with_columns(
        given_initial=initial,
        undated_initial=pl.when(pl.col("birth_on").is_null()).then(initial),
    ).unique()


def _expanded(key: str | None) -> list[str]:
    """A name key's readings: itself, and each key it can stand for when it lost letters."""
    return sorted({key, *key_expansions(key)}) if key else []


def _lookups(keys: Table, region: str | None) -> Select[Any]:
    """The graph's person records a lookup of some `FAMILIES` entry finds from `keys`."""
    record = _RECORDS.alias("hit")
    # A region partition links against its own region's records only (pipelines.regions).
    # Its region's rows through the index on the mahalla code (`code_in_region`): each
    # lookup then reads one region's records, not the whole country's.
    within = (
        [code_in_region(record.c.mahalla_code, region)]
        if region is not None and region != COUNTRY
        else []
    )
    columns = [record.c.id.label("record_id"), *(record.c[c] for c in list(_HIT_COLUMNS)[1:])]
    selects = []
    for lookups in FAMILIES.values():
        for names, condition in lookups:
            # Each lookup reads its keys' distinct values: joined to the incoming rows
            # themselves, a record would come back once per mention sharing its key.
            values = (
                select(*(keys.c[n] for n in names))
                .where(*(keys.c[n].is_not(None) for n in names))
                .distinct()
                .subquery()
            )
            selects.append(
                select(*columns)
                .join(values, condition(record, values))
                .where(record.c.kind == "person", *within)
            )
    return union_all(*selects)  # type: ignore[return-value]


def _hits(session: Session, incoming: pl.DataFrame, region: str | None) -> pl.DataFrame:
    """The graph's records some blocking rule of the model pairs with an incoming mention."""
    settings = load_latest_model().settings
    rules = model_rules(settings)
    check_covered(rules, FAMILIES)
    features = mention_features(engine_mentions(_as_known(incoming)))
    keys = scratch_table(session, KEYS, incoming_keys(incoming, features))
    with lookup_plans(session, region):
        found = read_frame(session, _lookups(keys, region), _HIT_COLUMNS)
    drop(session, keys)
    found = found.unique("record_id")
    if found.is_empty():
        return found
    as_mentions = found.with_columns(person_hub_id=pl.lit(None, pl.String))
    hit_features = mention_features(engine_mentions(as_mentions))
    kept = reachable(hit_features, features, rules)
    log.info("candidates: %d records looked up, %d reachable", found.height, kept.height)
    return found[kept["unique_id"].sort()]


def _as_known(incoming: pl.DataFrame) -> pl.DataFrame:
    return incoming.with_columns(person_hub_id=pl.lit(None, pl.String))


def gather_candidates(
    session: Session,
    incoming: pl.DataFrame,
    also_persons: Sequence[int] = (),
    *,
    region: str | None = None,
) -> pl.DataFrame:
    """The graph's records to link `incoming` (RECORD_COLUMNS) against (KNOWN_COLUMNS),
    with every record of `also_persons` (persons whose records just changed). With a
    `region` code, only records of that region are found by the blocking keys (their
    persons still come whole)."""
    hits = _hits(session, incoming, region)
    # Two plain semi-joins: an OR of two IN (subquery) conditions is not planned as joins.
    person_ids = pl.concat(
        [hits["person_id"], pl.Series("person_id", list(also_persons), pl.Int64)]
    )
    unlinked_ids = hits.filter(pl.col("person_id").is_null())["record_id"]
    with keys_of(session, _RECORDS.c.person_id, person_ids) as persons:
        whole = known_records_query().where(SourceRecord.person_id.in_(select(persons.c.person_id)))
        found = [read_known(session, whole)]
    with keys_of(session, _RECORDS.c.id, unlinked_ids) as unlinked:
        alone = known_records_query().where(
            SourceRecord.person_id.is_(None), SourceRecord.id.in_(select(unlinked.c.id))
        )
        found.append(read_known(session, alone))
    combined = pl.concat(found)
    log.info(
        "candidates: %d incoming mentions, %d records gathered (their persons whole)",
        incoming.height,
        combined.height,
    )
    redelivered = incoming.select(mention_id().alias("_id"))["_id"].implode()
    return combined.filter(~mention_id().is_in(redelivered)).sort("record_id")
