"""Statistics of a mahalla, district or region, read from the precomputed indicators.

A mahalla's statistics are its `mahalla_indicators` row (written by
`hub.diagnostics.indicators`); a district's or region's are the sums over its mahallas,
added up here rather than in SQL because the per-category, per-programme and per-topic
breakdowns are JSON objects.

Those five breakdowns are read as their JSON text and decoded when first read
(`JsonObject`): a district's list of mahallas shows one or two of them, and decoding every
one of every row was a tenth of such a request's CPU.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Select, Text, cast, select

from hub.api.batch_fetch import Match, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.records import record_columns, record_fields, table_of, to_records
from hub.graph.models import District, Mahalla, MahallaIndicators

INDICATORS = table_of(MahallaIndicators)


class JsonObject(Mapping[str, Any]):
    """A JSON object read from the database as its text, decoded when first read."""

    __slots__ = ("_text", "_value")

    def __init__(self, text: str | bytes) -> None:
        self._text = text
        self._value: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        value = self._value
        if value is None:
            decoded = orjson.loads(self._text)
            if not isinstance(decoded, dict):
                raise ValueError(f"An indicator breakdown is not a JSON object: {self._text!r}")
            value = self._value = decoded
        return value

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def get(self, key: str, default: Any = None) -> Any:
        return self._decoded().get(key, default)

    def items(self) -> ItemsView[str, Any]:
        return self._decoded().items()

    def __repr__(self) -> str:
        return f"JsonObject({self._text!r})"


@dataclass(frozen=True, slots=True)
class IndicatorsRecord:
    mahalla_code: str
    population: int
    households: int
    households_by_assessed_category: JsonObject
    households_by_computed_category: JsonObject
    category_mismatches: int
    employed: int
    unemployed: int
    self_employed: int
    entrepreneurs: int
    public_works: int
    in_training: int
    active_leases: int
    leased_area_ha: float
    loans_by_program: JsonObject
    notebook_entries: JsonObject
    appeals_total: int
    appeals_open: int
    appeals_by_topic: JsonObject
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class ProgrammeTotal:
    count: int
    amount_tiyin: int


@dataclass(frozen=True, slots=True)
class StatisticsRecord:
    """Indicators of one territory; `mahallas` says how many mahalla rows were summed."""

    mahallas: int
    population: int = 0
    households: int = 0
    households_by_assessed_category: Mapping[str, int] = field(default_factory=dict)
    households_by_computed_category: Mapping[str, int] = field(default_factory=dict)
    category_mismatches: int = 0
    employed: int = 0
    unemployed: int = 0
    self_employed: int = 0
    entrepreneurs: int = 0
    public_works: int = 0
    in_training: int = 0
    active_leases: int = 0
    leased_area_ha: float = 0.0
    loans_by_program: Mapping[str, ProgrammeTotal] = field(default_factory=dict)
    notebook_entries: Mapping[str, int] = field(default_factory=dict)
    appeals_total: int = 0
    appeals_open: int = 0
    appeals_by_topic: Mapping[str, int] = field(default_factory=dict)
    computed_at: datetime | None = None


_JSON_FIELDS = (
    "households_by_assessed_category",
    "households_by_computed_category",
    "loans_by_program",
    "notebook_entries",
    "appeals_by_topic",
)
_JSON_AT = tuple(
    i for i, name in enumerate(record_fields(IndicatorsRecord)) if name in _JSON_FIELDS
)


def indicator_columns() -> list[ColumnElement[Any]]:
    """The columns of an `IndicatorsRecord`, the breakdowns as their JSON text."""
    return [
        cast(column, Text).label(column.name) if column.name in _JSON_FIELDS else column
        for column in record_columns(IndicatorsRecord, INDICATORS)
    ]


def indicator_records(rows: Iterable[Sequence[Any]]) -> list[IndicatorsRecord]:
    """Records from rows of `indicator_columns()`."""
    wrapped = []
    for row in rows:
        values = list(row)
        for at in _JSON_AT:
            values[at] = JsonObject(values[at])
        wrapped.append(values)
    return to_records(IndicatorsRecord, wrapped)


# The scalar counts of an indicators row, summed from the level below (also in SQL,
# `hub.api.compiled.statistics_sums`, and by the public's suppression).
SUMMED = (
    "population",
    "households",
    "category_mismatches",
    "employed",
    "unemployed",
    "self_employed",
    "entrepreneurs",
    "public_works",
    "in_training",
    "active_leases",
    "appeals_total",
    "appeals_open",
)
# The JSON breakdowns of an indicators row, summed key by key.
COUNTED = (
    "households_by_assessed_category",
    "households_by_computed_category",
    "notebook_entries",
    "appeals_by_topic",
)


def sum_indicators(rows: Iterable[IndicatorsRecord]) -> StatisticsRecord:
    """Add up mahalla indicators; `computed_at` is the oldest row's (the data is as old)."""
    rows = list(rows)
    if not rows:
        return StatisticsRecord(mahallas=0)
    totals: dict[str, Any] = {name: sum(getattr(r, name) for r in rows) for name in SUMMED}
    for name in COUNTED:
        counter: Counter[str] = Counter()
        for row in rows:
            counter.update({k: int(v) for k, v in getattr(row, name).items()})
        totals[name] = dict(counter)
    loans: dict[str, list[int]] = {}
    for row in rows:
        for programme, value in row.loans_by_program.items():
            pair = loans.setdefault(programme, [0, 0])
            pair[0] += int(value.get("count", 0))
            pair[1] += int(value.get("amount_tiyin", 0))
    return StatisticsRecord(
        mahallas=len(rows),
        leased_area_ha=round(sum(r.leased_area_ha for r in rows), 4),
        loans_by_program={p: ProgrammeTotal(c, a) for p, (c, a) in sorted(loans.items())},
        computed_at=min(r.computed_at for r in rows),
        **totals,
    )


def programme_totals(loans: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(programme, count, amount in tiyin) of a mahalla's loans breakdown, by programme."""
    return [
        (programme, int(v.get("count", 0)), int(v.get("amount_tiyin", 0)))
        for programme, v in sorted(loans.items())
    ]


def statistics_of(row: IndicatorsRecord) -> StatisticsRecord:
    """One mahalla's statistics: its indicators row as it is (no summing needed)."""
    loans = {p: ProgrammeTotal(c, a) for p, c, a in programme_totals(row.loans_by_program)}
    return StatisticsRecord(
        mahallas=1,
        population=row.population,
        households=row.households,
        households_by_assessed_category=row.households_by_assessed_category,
        households_by_computed_category=row.households_by_computed_category,
        category_mismatches=row.category_mismatches,
        employed=row.employed,
        unemployed=row.unemployed,
        self_employed=row.self_employed,
        entrepreneurs=row.entrepreneurs,
        public_works=row.public_works,
        in_training=row.in_training,
        active_leases=row.active_leases,
        leased_area_ha=row.leased_area_ha,
        loans_by_program=loans,
        notebook_entries=row.notebook_entries,
        appeals_total=row.appeals_total,
        appeals_open=row.appeals_open,
        appeals_by_topic=row.appeals_by_topic,
        computed_at=row.computed_at,
    )


def fetch_mahalla_statistics(
    connection: Connection, mahalla_codes: Sequence[str]
) -> list[StatisticsRecord | None]:
    """Each mahalla's statistics, None where indicators were never computed."""
    stmt, params = keyed(
        connection,
        "mahalla_statistics",
        list(set(mahalla_codes)),
        lambda match: select(*indicator_columns()).where(match([INDICATORS.c.mahalla_code])),
    )
    rows = fetch_rows(connection, stmt, params)
    found = {r.mahalla_code: r for r in indicator_records(rows)}
    return [statistics_of(found[c]) if c in found else None for c in mahalla_codes]


def fetch_district_statistics(
    connection: Connection, district_codes: Sequence[str]
) -> list[StatisticsRecord]:
    return _grouped(connection, "district_code", district_codes)


def fetch_region_statistics(
    connection: Connection, region_codes: Sequence[str]
) -> list[StatisticsRecord]:
    return _grouped(connection, "region_code", region_codes)


def _grouped(connection: Connection, group_by: str, codes: Sequence[str]) -> list[StatisticsRecord]:
    """Summed statistics per territory; `group_by` is the mahalla's district code or the
    district's region code."""
    mahalla = table_of(Mahalla)
    district = table_of(District)
    group = mahalla.c.district_code if group_by == "district_code" else district.c.region_code

    def build(match: Match) -> Select[Any]:
        return (
            select(group, *indicator_columns())
            .join(mahalla, mahalla.c.code == INDICATORS.c.mahalla_code)
            .join(district, district.c.code == mahalla.c.district_code)
            .where(match([group]))
        )

    stmt, params = keyed(connection, ("statistics", group_by), list(set(codes)), build)
    groups: dict[str, list[IndicatorsRecord]] = {}
    rows = fetch_rows(connection, stmt, params)
    for row, record in zip(rows, indicator_records(row[1:] for row in rows), strict=True):
        groups.setdefault(row[0], []).append(record)
    return [sum_indicators(groups.get(code, [])) for code in codes]
