"""Which records already in the graph an incoming delivery's mentions are linked against.

Incremental linking does not relink everything: it takes the graph's mention records that
the saved model's blocking rules could pair with an incoming mention (and that are not
themselves being redelivered), then every record of the persons those belong to (a person
is compared whole, so a merge or a split sees all its evidence), plus unlinked records
found that way (a later delivery may give them the evidence they lacked).

Finding them takes two steps:

1. one indexed lookup per key family the rules are built from (`FAMILIES`): the same
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
from collections.abc import Callable, Sequence
from typing import Any, Final

import polars as pl
from sqlalchemy import Column, Date, MetaData, Select, String, Table, and_, func, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from hub.graph.models import SourceRecord
from hub.graph.scratch import drop, keys_of, scratch_table
from hub.identity.linkage import load_latest_model
from hub.identity.linkage.features import mention_features
from hub.identity.names.fold import key_expansions
from pipelines.linking.blocking import Family, check_covered, model_rules, reachable
from pipelines.linking.records import (
    engine_mentions,
    known_records_query,
    mention_id,
    read_frame,
    read_known,
)
from pipelines.regions.codes import COUNTRY

log = logging.getLogger(__name__)
_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]
_KEYS: Final = Table(
    "candidate_keys",
    MetaData(),
    *(Column(name, String(200)) for name in ("pinfl", "passport", "phone", "tin")),
    *(Column(name, String(200)) for name in ("surname_key", "given_key", "given_initial")),
    Column("undated_initial", String(200)),
    *(Column(name, String(200)) for name in ("pinfl_head", "pinfl_tail", "born_ddmmyy")),
    Column("birth_on", Date()),
    *(Column(name, String(200)) for name in ("region", "mahalla_code")),
)
"""The incoming mentions' keys as the candidate lookups read them (a scratch table's shape)."""

Lookup = Callable[[Any, Any], Any]
"""(graph record, incoming keys) -> the lookup's join condition."""


def _undated(record: Any, keys: Any) -> Any:
    """A record without a birth date, whose PINFL encodes the incoming birth date (the
    engine blocks on that date, `birth_any`, where the record states none)."""
    return and_(
        record.c.birth_on.is_(None),
        func.substr(record.c.pinfl, 2, 6) == keys.c.born_ddmmyy,
    )


class given_part(FunctionElement[str]):  # noqa: N801 (a SQL function's name)
    """The given name's key inside a name key (surname|given|patronymic), as SQL: an
    equality the database can hash, where a LIKE is tested on every namesake joined."""

    type = String()
    inherit_cache = True


@compiles(given_part, "postgresql")
def _given_part_postgresql(element: given_part, compiler: Any, **kw: Any) -> str:
    return f"split_part({compiler.process(element.clauses, **kw)}, '|', 2)"


@compiles(given_part)
def _given_part_sqlite(element: given_part, compiler: Any, **kw: Any) -> str:
    key = compiler.process(element.clauses, **kw)
    rest = f"substr({key}, instr({key}, '|') + 1)"
    return f"substr({rest}, 1, instr({rest}, '|') - 1)"


def _given(record: Any, keys: Any) -> Any:
    """The record's name key (surname|given|patronymic) holds the incoming given name."""
    return given_part(record.c.name_key) == keys.c.given_key


def _in_region(record: Any, keys: Any) -> Any:
    return record.c.mahalla_code.like(keys.c.region + "%")


def _surname(record: Any, keys: Any) -> Any:
    return record.c.surname_key == keys.c.surname_key


def _initial(record: Any, initial: Any) -> Any:
    return record.c.name_key.like("%|" + initial + "%")


FAMILIES: Final[dict[Family, list[tuple[tuple[str, ...], Lookup]]]] = {
    Family(frozenset({"pinfl"})): [(("pinfl",), lambda r, k: r.c.pinfl == k.c.pinfl)],
    Family(frozenset({"passport"})): [(("passport",), lambda r, k: r.c.passport == k.c.passport)],
    Family(frozenset({"phone"})): [(("phone",), lambda r, k: r.c.phone == k.c.phone)],
    Family(frozenset({"tin"})): [(("tin",), lambda r, k: r.c.tin == k.c.tin)],
    # Hashed on the PINFL's first seven digits: a range on the PINFL index was planned as a
    # merge join on the surname, walking every record of a common root.
    Family(frozenset({"surname_key", "pinfl_head"})): [
        (
            ("surname_key", "pinfl_head"),
            lambda r, k: and_(_surname(r, k), func.substr(r.c.pinfl, 1, 7) == k.c.pinfl_head),
        )
    ],
    Family(frozenset({"surname_key", "pinfl_tail"})): [
        (
            ("surname_key", "pinfl_tail"),
            lambda r, k: and_(_surname(r, k), func.substr(r.c.pinfl, 8, 7) == k.c.pinfl_tail),
        )
    ],
    Family(frozenset({"surname_key", "birth_any"})): [
        (
            ("surname_key", "birth_on"),
            lambda r, k: and_(_surname(r, k), r.c.birth_on == k.c.birth_on),
        ),
        (("surname_key", "born_ddmmyy"), lambda r, k: and_(_surname(r, k), _undated(r, k))),
    ],
    Family(frozenset({"given_key", "birth_any", "region"})): [
        (
            ("given_key", "birth_on", "region"),
            lambda r, k: and_(r.c.birth_on == k.c.birth_on, _given(r, k), _in_region(r, k)),
        ),
        (
            ("given_key", "born_ddmmyy", "region"),
            lambda r, k: and_(_undated(r, k), _given(r, k), _in_region(r, k)),
        ),
    ],
    Family(frozenset({"surname_key", "given_key", "mahalla_code"})): [
        (
            ("mahalla_code", "surname_key", "given_key"),
            lambda r, k: and_(r.c.mahalla_code == k.c.mahalla_code, _surname(r, k), _given(r, k)),
        )
    ],
    # Surname root, initial and mahalla only where one side has no birth date at all.
    Family(frozenset({"surname_key", "given_initial", "mahalla_code"}), missing="birth_any"): [
        (
            ("mahalla_code", "surname_key", "undated_initial"),
            lambda r, k: and_(
                r.c.mahalla_code == k.c.mahalla_code,
                _surname(r, k),
                _initial(r, k.c.undated_initial),
            ),
        ),
        (
            ("mahalla_code", "surname_key", "given_initial"),
            lambda r, k: and_(
                r.c.mahalla_code == k.c.mahalla_code,
                _surname(r, k),
                r.c.birth_on.is_(None),
                _initial(r, k.c.given_initial),
            ),
        ),
    ],
}
"""Per family of blocking rules (`blocking.Family`): the lookups (incoming key columns,
join condition) that find every graph record such a rule could pair with an incoming
mention. A record whose own birth date is missing is blocked on the date its PINFL encodes
(`birth_any`); where it has neither, its `birth_on` is null too."""

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
    delivered for the identifiers, as the engine reads them for names and dates; a name key
    with lost letters (`?`) also as each of the keys it can stand for."""
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
    ).hstack(incoming.select("passport", "phone", "tin"))
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
    within = (
        [record.c.mahalla_code.like(f"{region}%")]
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
    keys = scratch_table(session, _KEYS, incoming_keys(incoming, features))
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
