"""A mahalla with the relations a query selects on it, read in one statement.

A mahalla dashboard follows four relations (district, the district's region, the current
assistant, statistics); through the DataLoaders alone that is five statements in three
round trips, one after another. When a resolver can see what the query selects (the
`mahalla` root field, a page of mahallas), it reads the mahallas together with the
selected relations in one joined statement and primes the request's loaders with them, so
the relation fields then resolve from the loaders' caches without a statement of their
own. What the bundle does not cover still goes through the loaders as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, or_, select

from hub.api.batch_fetch import Match, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.loaders import Loaders
from hub.api.records import record_at, record_columns, record_fields, select_labelled
from hub.api.territory.data import (
    ASSISTANT,
    DISTRICT,
    INDICATORS,
    MAHALLA,
    REGION,
    AssistantRecord,
    DistrictRecord,
    MahallaRecord,
    RegionRecord,
    TerritoryCriteria,
    mahalla_page,
)
from hub.api.territory.statistics_data import (
    IndicatorsRecord,
    StatisticsRecord,
    indicator_columns,
    indicator_records,
    statistics_of,
)

# The relations a bundle can carry, by the path of GraphQL fields that selects them.
DISTRICT_PART = "district"
REGION_PART = "district.region"
ASSISTANT_PART = "assistant"
STATISTICS_PART = "statistics"
PARTS = (DISTRICT_PART, REGION_PART, ASSISTANT_PART, STATISTICS_PART)


def parts_of(paths: AbstractSet[str]) -> frozenset[str]:
    """The parts a query selecting `paths` (below a mahalla) needs."""
    return frozenset(part for part in PARTS if part in paths)


@dataclass(frozen=True, slots=True)
class MahallaBundle:
    """A mahalla and the relations its bundle was asked for (None: absent or not asked)."""

    mahalla: MahallaRecord
    district: DistrictRecord | None = None
    region: RegionRecord | None = None
    assistant: AssistantRecord | None = None
    statistics: StatisticsRecord | None = None


def _current_assistant() -> ColumnElement[bool]:
    """The join condition of a mahalla's current assistant, by the same rule as
    `data.fetch_current_assistants`: flagged current, else the latest appointment (ties:
    the highest id); that is, the one no other assistant of the mahalla ranks above.

    An anti-join rather than a correlated `ORDER BY ... LIMIT 1` subquery: PostgreSQL ran
    that subquery twice per mahalla, which made a district's page of mahallas cost four
    times the server time of the same page joined on the flag alone; this costs the same
    as that."""
    better = ASSISTANT.alias("better")
    ranks_above = or_(
        better.c.is_current > ASSISTANT.c.is_current,
        and_(
            better.c.is_current == ASSISTANT.c.is_current,
            or_(
                better.c.appointed_on > ASSISTANT.c.appointed_on,
                and_(
                    better.c.appointed_on == ASSISTANT.c.appointed_on,
                    better.c.id > ASSISTANT.c.id,
                ),
            ),
        ),
    )
    same_mahalla = better.c.mahalla_code == ASSISTANT.c.mahalla_code
    above = select(better.c.id).where(same_mahalla, ranks_above)
    return and_(ASSISTANT.c.mahalla_code == MAHALLA.c.code, ~exists(above))


def _statement(parts: frozenset[str], match: Match) -> Select[Any]:
    return _selection(parts).where(match([MAHALLA.c.code]))


@cache
def _selection(parts: frozenset[str]) -> Select[Any]:
    """The bundle's columns (see `part_starts`) from the mahalla and the joined parts."""
    columns: list[ColumnElement[Any]] = [*record_columns(MahallaRecord, MAHALLA)]
    source: Any = MAHALLA
    if DISTRICT_PART in parts or REGION_PART in parts:
        columns += record_columns(DistrictRecord, DISTRICT)
        source = source.join(DISTRICT, DISTRICT.c.code == MAHALLA.c.district_code)
    if REGION_PART in parts:
        columns += record_columns(RegionRecord, REGION)
        source = source.join(REGION, REGION.c.code == DISTRICT.c.region_code)
    if ASSISTANT_PART in parts:
        columns += record_columns(AssistantRecord, ASSISTANT)
        source = source.outerjoin(ASSISTANT, _current_assistant())
    if STATISTICS_PART in parts:
        columns += indicator_columns()
        source = source.outerjoin(INDICATORS, INDICATORS.c.mahalla_code == MAHALLA.c.code)
    return select_labelled(columns).select_from(source)


# The records of the parts, in the order a bundle row holds them.
_PART_RECORDS = (
    (DISTRICT_PART, DistrictRecord),
    (REGION_PART, RegionRecord),
    (ASSISTANT_PART, AssistantRecord),
    (STATISTICS_PART, IndicatorsRecord),
)


@cache
def part_starts(parts: frozenset[str]) -> dict[str, int]:
    """Where each part's record starts in a bundle row (see `_selection`); the mahalla's
    own fields start at 0, under the key "mahalla"."""
    starts = {"mahalla": 0}
    at = len(record_fields(MahallaRecord))
    for part, record in _PART_RECORDS:
        if part in parts or (part == DISTRICT_PART and REGION_PART in parts):
            starts[part] = at
            at += len(record_fields(record))
    return starts


def bundle_of(row: Sequence[Any], parts: frozenset[str]) -> MahallaBundle:
    """The bundle in a bundle row (`fetch_mahalla_bundles`, `fetch_mahalla_page_rows`)."""
    starts = part_starts(parts)
    mahalla, _ = record_at(row, 0, MahallaRecord)
    assert mahalla is not None  # the mahalla's own code
    found: dict[str, Any] = {}
    for part, record in _PART_RECORDS:
        if part in starts:
            build = indicator_records if record is IndicatorsRecord else None
            found[part], _ = record_at(row, starts[part], record, build)
    indicators = found.get(STATISTICS_PART)
    return MahallaBundle(
        mahalla,
        found.get(DISTRICT_PART),  # inner joins: found whenever asked for
        found.get(REGION_PART),
        found.get(ASSISTANT_PART),
        None if indicators is None else statistics_of(indicators),
    )


def fetch_mahalla_bundles(
    connection: Connection, codes: Sequence[str], parts: frozenset[str]
) -> list[MahallaBundle | None]:
    """Each mahalla of `codes` with the relations in `parts` (see PARTS); None where no
    mahalla has the code."""
    unknown = parts - set(PARTS)
    if unknown:
        raise ValueError(f"A mahalla bundle cannot carry {sorted(unknown)}.")
    stmt, params = keyed(
        connection,
        ("mahalla_bundle", parts),
        list(dict.fromkeys(codes)),
        lambda match: _statement(parts, match),
    )
    found = {row[0]: bundle_of(row, parts) for row in fetch_rows(connection, stmt, params)}
    return [found.get(code) for code in codes]


def fetch_mahalla_page_rows(
    connection: Connection,
    criteria: TerritoryCriteria,
    offset: int,
    limit: int,
    parts: frozenset[str],
) -> Sequence[Sequence[Any]]:
    """A page of mahallas, each as its bundle row with the relations in `parts` (see
    `part_starts`, `bundle_of`): the page and its relations in one statement."""
    stmt, params = mahalla_page(
        criteria, offset, limit, ("bundle", parts), lambda: _selection(parts)
    )
    return fetch_rows(connection, stmt, params)


def prime(loaders: Loaders, bundles: Sequence[MahallaBundle | None], parts: frozenset[str]) -> None:
    """Put what `bundles` carry into the request's loaders (a loaded value is kept)."""
    for bundle in bundles:
        if bundle is None:
            continue
        code = bundle.mahalla.code
        loaders.mahalla.prime(code, bundle.mahalla)
        if bundle.district is not None:
            loaders.district.prime(bundle.district.code, bundle.district)
        if bundle.region is not None:
            loaders.region.prime(bundle.region.code, bundle.region)
        if ASSISTANT_PART in parts:
            loaders.current_assistant.prime(code, bundle.assistant)
        if STATISTICS_PART in parts:
            loaders.mahalla_statistics.prime(code, bundle.statistics)
