"""Statistics of a mahalla, district or region, read from the precomputed indicators.

A mahalla's statistics are its `mahalla_indicators` row (written by
`hub.diagnostics.indicators`); a district's or region's are the sums over its mahallas,
added up here rather than in SQL because the per-category, per-programme and per-topic
breakdowns are JSON objects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from hub.api.batch_fetch import Match, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.records import record_columns, select_records, table_of, to_records
from hub.graph.models import District, Mahalla, MahallaIndicators

INDICATORS = table_of(MahallaIndicators)


@dataclass(frozen=True, slots=True)
class IndicatorsRecord:
    mahalla_code: str
    population: int
    households: int
    households_by_assessed_category: dict[str, int]
    households_by_computed_category: dict[str, int]
    category_mismatches: int
    employed: int
    unemployed: int
    self_employed: int
    entrepreneurs: int
    public_works: int
    in_training: int
    active_leases: int
    leased_area_ha: float
    loans_by_program: dict[str, Any]
    notebook_entries: dict[str, int]
    appeals_total: int
    appeals_open: int
    appeals_by_topic: dict[str, int]
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


_SUMMED = (
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
_COUNTED = (
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
    totals: dict[str, Any] = {name: sum(getattr(r, name) for r in rows) for name in _SUMMED}
    for name in _COUNTED:
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


def statistics_of(row: IndicatorsRecord) -> StatisticsRecord:
    """One mahalla's statistics: its indicators row as it is (no summing needed)."""
    loans = {
        programme: ProgrammeTotal(int(v.get("count", 0)), int(v.get("amount_tiyin", 0)))
        for programme, v in sorted(row.loans_by_program.items())
    }
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
        lambda match: select_records(IndicatorsRecord, INDICATORS).where(
            match([INDICATORS.c.mahalla_code])
        ),
    )
    rows = fetch_rows(connection, stmt, params)
    found = {r.mahalla_code: r for r in to_records(IndicatorsRecord, rows)}
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
            select(group, *record_columns(IndicatorsRecord, INDICATORS))
            .join(mahalla, mahalla.c.code == INDICATORS.c.mahalla_code)
            .join(district, district.c.code == mahalla.c.district_code)
            .where(match([group]))
        )

    stmt, params = keyed(connection, ("statistics", group_by), list(set(codes)), build)
    groups: dict[str, list[IndicatorsRecord]] = {}
    for row in fetch_rows(connection, stmt, params):
        groups.setdefault(row[0], []).append(IndicatorsRecord(*row[1:]))
    return [sum_indicators(groups.get(code, [])) for code in codes]
