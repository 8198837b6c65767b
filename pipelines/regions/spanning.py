"""Which records the country step compares: those the engine could pair across regions.

The engine scores a pair only when one of the saved model's blocking rules holds
(`pipelines.linking.blocking`). A rule with an equality on the region, the district or
the mahalla never pairs records of two regions, so the region partitions have scored
every pair it makes. The other rules (the PINFL, passport, phone and TIN; the surname
root with the PINFL's head, its tail, or the birth date and given initial) can pair two
regions' records, and only their pairs are missing after the partitions.

For each such rule a grouping (`SPANNING_GROUPS`) keys the graph's person records on a
value every pair the rule makes shares (its equalities as stored columns, or something
they imply: the birth date as day, month and two-digit year, so that a record with no
stated date is keyed by the one its PINFL encodes, as the engine blocks it). The key
values held by records of more than one region are the blocks that cross; their records
are the spanning ones. A record with no region is not counted: the country step's first
part linked it against every region already. `check_covered` refuses a model with a
crossing rule no grouping finds.

A name key with a letter an export lost (`?`) is read by the engine as the commonest of
its expansions in the frame it links, which no stored key shows: such a record (few: old
employment exports) is keyed as each complete surname it can stand for, any initial where
the given name's first letter was lost, and spans with the records of other regions it
meets so (`_lost_letters`).

The caller compares the spanning records' persons whole (clustering sees every record of
a piece: its household and PINFL constraints) and the unlinked ones alone. So the country
step grows with the records that share a crossing block, not with the population.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import polars as pl
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    MetaData,
    String,
    Table,
    and_,
    cast,
    distinct,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from hub.graph.models import SourceRecord
from hub.graph.scratch import drop, scratch_table
from hub.identity.linkage import load_latest_model
from hub.identity.names.fold import UNKNOWN_LETTER, key_expansions
from pipelines.linking.blocking import Family, Rule, check_covered, model_rules
from pipelines.linking.lookups import given_part

_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]
REGIONAL_COLUMNS: Final = frozenset({"region", "district", "mahalla_code"})
"""Feature columns that hold one region at most: a rule keyed on one never crosses."""

Keys = Callable[[Any], list[ColumnElement[Any]]]


def _day_key(record: Any) -> ColumnElement[Any]:
    """Day, month and two-digit year (DDMMYY) of the date the engine blocks a record on:
    its own stated date, else the one its PINFL's digits 2-7 encode."""
    stated = cast(record.c.stated_birth_on, String)  # YYYY-MM-DD on both databases
    day, month, year = (func.substr(stated, at, 2, type_=String) for at in (9, 6, 3))
    own = day + month + year  # || on both databases (typed as text)
    return func.coalesce(own, func.substr(record.c.pinfl, 2, 6))


def _initial(record: Any) -> ColumnElement[Any]:
    return func.substr(given_part(record.c.name_key), 1, 1)


@dataclass(frozen=True)
class Grouping:
    """A key every pair of the rules `family` covers shares (`keys`: SQL over a record)."""

    family: Family
    keys: Keys


SPANNING_GROUPS: Final = (
    Grouping(Family(frozenset({"pinfl"})), lambda r: [r.c.pinfl]),
    Grouping(Family(frozenset({"passport"})), lambda r: [r.c.passport_key]),
    Grouping(Family(frozenset({"phone"})), lambda r: [r.c.phone_key]),
    Grouping(Family(frozenset({"tin"})), lambda r: [r.c.tin]),
    Grouping(
        Family(frozenset({"surname_key", "pinfl_head", "given_initial"})),
        lambda r: [r.c.surname_key, func.substr(r.c.pinfl, 1, 7), _initial(r)],
    ),
    Grouping(
        Family(frozenset({"surname_key", "pinfl_tail"})),
        lambda r: [r.c.surname_key, func.substr(r.c.pinfl, 8, 7)],
    ),
    Grouping(
        Family(frozenset({"surname_key", "birth_any", "given_initial"})),
        lambda r: [r.c.surname_key, _day_key(r), _initial(r)],
    ),
)


def crossing_rules(rules: list[Rule]) -> list[Rule]:
    """The rules that can pair records of two regions (no equality on a regional column)."""
    return [r for r in rules if not any(e.column in REGIONAL_COLUMNS for e in r.equalities)]


def _region(record: Any) -> ColumnElement[Any]:
    return func.substr(record.c.mahalla_code, 1, 4)


def _grouped(session: Session, keys: Keys) -> pl.DataFrame:
    """(record_id, person_id) of the records holding a key value of records of more than
    one region."""
    record = _RECORDS.alias("keyed")
    keyed = (
        select(
            record.c.id,
            record.c.person_id,
            _region(record).label("region"),
            *(key.label(f"key{i}") for i, key in enumerate(keys(record))),
        )
        .where(record.c.kind == "person")
        .subquery()
    )
    columns = [c for c in keyed.c if c.name.startswith("key")]
    crossing = (
        select(*columns)
        .where(*(c.is_not(None) for c in columns))
        .group_by(*columns)
        .having(func.count(distinct(keyed.c.region)) > 1)
        .subquery()
    )
    joined = select(keyed.c.id, keyed.c.person_id).join(
        crossing, and_(*(keyed.c[c.name] == crossing.c[c.name] for c in columns))
    )
    rows = session.connection().execute(joined).all()
    return pl.DataFrame(rows, schema={"record_id": pl.Int64, "person_id": pl.Int64}, orient="row")


LOST_KEYS: Final = Table(
    "lost_keys",
    MetaData(),
    Column("record_id", BigInteger),
    Column("region", String(10)),
    Column("surname_key", String(100)),
    Column("pinfl_head", String(7)),
    Column("pinfl_tail", String(7)),
    Column("day", String(6)),
    Column("initial", String(1)),
)
"""A lost-letter record's name groupings' keys, one row per complete surname it can stand
for (`initial` null where the given name's first letter was lost: any initial)."""


def _lost_keys(session: Session) -> pl.DataFrame:
    """The records whose surname or given name key lost a letter (LOST_KEYS, expanded)."""
    record = _RECORDS
    lost = or_(
        record.c.surname_key.contains(UNKNOWN_LETTER, autoescape=True),
        record.c.name_key.contains(UNKNOWN_LETTER, autoescape=True),
    )
    query = select(
        record.c.id,
        _region(record),
        record.c.surname_key,
        func.substr(record.c.pinfl, 1, 7),
        func.substr(record.c.pinfl, 8, 7),
        _day_key(record),
        _initial(record),
    ).where(record.c.kind == "person", lost, record.c.mahalla_code.is_not(None))
    rows = session.connection().execute(query).all()
    names = [c.name for c in LOST_KEYS.c]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    expanded = pl.Series(
        [sorted(key_expansions(k)) if k else [] for k in frame["surname_key"]],
        dtype=pl.List(pl.String),
    )
    return frame.with_columns(
        record_id=pl.col("record_id").cast(pl.Int64),
        surname_key=expanded,
        initial=pl.when(pl.col("initial") != UNKNOWN_LETTER).then("initial"),
    ).explode("surname_key")


def _lost_joins(record: Any, keys: Any) -> list[ColumnElement[bool]]:
    """Per name grouping: a graph record and a lost-letter record's keys it shares."""
    surname = record.c.surname_key == keys.c.surname_key
    initial = or_(keys.c.initial.is_(None), _initial(record) == keys.c.initial)
    return [
        and_(surname, func.substr(record.c.pinfl, 1, 7) == keys.c.pinfl_head),
        and_(surname, func.substr(record.c.pinfl, 8, 7) == keys.c.pinfl_tail),
        and_(surname, _day_key(record) == keys.c.day, initial),
    ]


def _lost_letters(session: Session) -> pl.DataFrame:
    """(record_id, person_id) of the records with a lost letter in a name key that a name
    grouping keys like a record of another region (as any complete name it can stand for),
    and of those records."""
    keys = _lost_keys(session)
    found = pl.DataFrame(schema={"record_id": pl.Int64, "person_id": pl.Int64})
    if keys.is_empty():
        return found
    table = scratch_table(session, LOST_KEYS, keys)
    record = _RECORDS.alias("partner")
    pairs = union_all(
        *(
            select(table.c.record_id.label("lost_id"), record.c.id.label("partner_id"))
            .join(record, joined)
            .where(record.c.kind == "person", _region(record) != table.c.region)
            for joined in _lost_joins(record, table)
        )
    ).subquery()
    ids = select(pairs.c.lost_id).union(select(pairs.c.partner_id)).subquery()
    query = select(_RECORDS.c.id, _RECORDS.c.person_id).join(ids, ids.c.lost_id == _RECORDS.c.id)
    rows = list(session.connection().execute(query).all())
    drop(session, table)
    # Two lost-letter records of two regions that can stand for one name (any initials).
    both = pl.concat(
        keys.join(keys, on=["surname_key", other], suffix="_other")
        .filter(pl.col("region") != pl.col("region_other"))
        .select("record_id", "record_id_other")
        for other in ("pinfl_head", "pinfl_tail", "day")
    )
    lost_ids = pl.concat([both["record_id"], both["record_id_other"]]).unique()
    with_persons = select(_RECORDS.c.id, _RECORDS.c.person_id).where(
        _RECORDS.c.id.in_(lost_ids.to_list())
    )
    rows += session.connection().execute(with_persons).all()
    return pl.concat([found, pl.DataFrame(rows, schema=found.schema, orient="row")])


@dataclass(frozen=True)
class Spanning:
    """The spanning records' persons and unlinked records; per grouping (named by its
    family's columns, `lost letters`) the records it found."""

    persons: list[int]
    unlinked: list[int]
    found: dict[str, int]


def spanning_records(session: Session) -> Spanning:
    """The persons and unlinked records of the spanning records (see the module docstring)."""
    crossing = crossing_rules(model_rules(load_latest_model().settings))
    groups = [g for g in SPANNING_GROUPS if any(g.family.covers(r) for r in crossing)]
    check_covered(crossing, (g.family for g in groups))
    by_group = {"+".join(sorted(g.family.columns)): _grouped(session, g.keys) for g in groups}
    by_group["lost letters"] = _lost_letters(session)
    found = pl.concat(by_group.values()).unique("record_id")
    persons = found["person_id"].drop_nulls().unique().sort().to_list()
    unlinked = found.filter(pl.col("person_id").is_null())["record_id"].sort().to_list()
    return Spanning(persons, unlinked, {name: f.height for name, f in by_group.items()})
