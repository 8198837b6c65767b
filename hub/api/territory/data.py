"""The territory data layer: records of regions, districts, mahallas and assistants, and
the paginated list queries over them. Functions take the caller's connection."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)

from hub.api.batch_fetch import Match, kept_statement, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.records import select_records, table_of, to_records
from hub.api.territory.codes import code_range_conditions, code_range_parameters
from hub.graph.models import Assistant, District, Mahalla, MahallaIndicators, Region

REGION = table_of(Region)
DISTRICT = table_of(District)
MAHALLA = table_of(Mahalla)
ASSISTANT = table_of(Assistant)
INDICATORS = table_of(MahallaIndicators)
LEVEL_TABLES = {"region": REGION, "district": DISTRICT, "mahalla": MAHALLA}
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class RegionRecord:
    code: str
    name: str
    name_ru: str | None
    iso_code: str | None


@dataclass(frozen=True, slots=True)
class DistrictRecord:
    code: str
    region_code: str
    name: str


@dataclass(frozen=True, slots=True)
class MahallaRecord:
    code: str
    district_code: str
    name: str
    stir: str | None
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class AssistantRecord:
    id: str
    full_name: str
    phone: str | None
    mahalla_code: str
    appointed_on: date
    is_current: bool


class TerritoryOrder(Enum):
    CODE = "code"
    NAME = "name"
    POPULATION = "population"


@dataclass(frozen=True, slots=True)
class TerritoryCriteria:
    """Which regions, districts or mahallas to list (None: no condition)."""

    region_code: str | None = None
    district_code: str | None = None
    name_contains: str | None = None
    order: TerritoryOrder = TerritoryOrder.CODE
    descending: bool = False
    # For the public: the suppression threshold, below which a population orders as
    # unknown (as do those its siblings withhold, `hub.api.access.siblings`).
    public_threshold: int | None = None


def _contains_pattern(fragment: str) -> str:
    """A LIKE pattern (escape character `/`) matching texts that contain `fragment`,
    lower-cased: what `contains(..., autoescape=True)` builds, as a bound value."""
    escaped = fragment.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _name_condition(column: ColumnElement[str]) -> ColumnElement[bool]:
    return func.lower(column).like(bindparam("name_pattern"), escape="/")


def _parameters(criteria: TerritoryCriteria, level: str) -> dict[str, Any]:
    """The values a list of `level` ("region", "district", "mahalla") binds; its statement
    depends only on which are set."""
    params: dict[str, Any] = {}
    region, district = criteria.region_code, criteria.district_code
    if level == "mahalla":  # a region or district is a range of mahalla codes
        code_range_parameters(region, district, params)
    else:
        if region is not None:
            params["region_code"] = region
        if district is not None and level == "district":
            params["district_code"] = district
    if criteria.name_contains:
        params["name_pattern"] = _contains_pattern(criteria.name_contains)
    if _public_order(criteria, level):
        params[PUBLIC_THRESHOLD] = criteria.public_threshold
    return params


PUBLIC_THRESHOLD = "public_threshold"


def _public_order(criteria: TerritoryCriteria, level: str) -> bool:
    return (
        criteria.public_threshold is not None
        and criteria.order is TerritoryOrder.POPULATION
        and level == "mahalla"
    )


def _where(level: str, names: Collection[str]) -> list[ColumnElement[bool]]:
    """The conditions of a list of `level` binding the parameters `names`."""
    table = LEVEL_TABLES[level]
    where: list[ColumnElement[bool]] = []
    if level == "mahalla":
        where += code_range_conditions(MAHALLA.c.code, names)
    elif level == "region":
        if "region_code" in names:
            where.append(REGION.c.code == bindparam("region_code"))
    else:
        if "region_code" in names:
            where.append(DISTRICT.c.region_code == bindparam("region_code"))
        if "district_code" in names:
            where.append(DISTRICT.c.code == bindparam("district_code"))
    if "name_pattern" in names:
        where.append(_name_condition(table.c.name))
    return where


def territory_list_parameters(criteria: TerritoryCriteria, level: str) -> dict[str, Any]:
    """The values a list of `level` ("region", "district", "mahalla") binds."""
    return _parameters(criteria, level)


def territory_list_where(level: str, params: Collection[str]) -> list[ColumnElement[bool]]:
    """The conditions (on the level's table) of a list binding `params`."""
    return _where(level, params)


def territory_list_order(
    level: str, criteria: TerritoryCriteria, table: Any = None
) -> list[ColumnElement[Any]]:
    """The order of a list of `level` over `table` (the level's table or an alias):
    POPULATION orders mahallas only, by their indicators (0 when never computed), the
    code breaking ties so that offsets are stable between pages."""
    table = LEVEL_TABLES[level] if table is None else table
    key: ColumnElement[Any]
    if criteria.order is TerritoryOrder.POPULATION and level == "mahalla":
        # An alias of its own: the selection may join the indicators to show them.
        ordering = INDICATORS.alias("ordering")
        population = (
            select(ordering.c.population)
            .where(ordering.c.mahalla_code == table.c.code)
            .correlate(table)  # also inside the siblings' subqueries (`withheld_population`)
            .scalar_subquery()
        )
        key = func.coalesce(population, 0)
        if _public_order(criteria, level):
            # Suppressed or withheld populations come last, by code: as unknown.
            hidden = withheld_population(table, key)
            key = case((hidden, 0), else_=key)
            if criteria.descending:
                return [hidden.asc(), key.desc(), table.c.code.desc()]
            return [hidden.asc(), key.asc(), table.c.code.asc()]
    elif criteria.order is TerritoryOrder.NAME:
        key = table.c.name
    else:
        key = table.c.code
    if criteria.descending:
        return [key.desc(), table.c.code.desc()]
    return [key.asc(), table.c.code.asc()]


def withheld_population(table: Any, population: ColumnElement[Any]) -> ColumnElement[bool]:
    """Whether the public does not see the population of the mahalla `table` (whose
    population is `population`): small (`hub.api.access.suppression`), or the one sibling
    withheld beside a lone small one (`hub.api.access.siblings`), by the threshold bound
    as `public_threshold`."""
    threshold = bindparam(PUBLIC_THRESHOLD, type_=Integer)
    sibling, figures = MAHALLA.alias("sibling"), INDICATORS.alias("sibling_figures")
    value = figures.c.population
    siblings = (
        select(func.count())
        .select_from(sibling.join(figures, figures.c.mahalla_code == sibling.c.code))
        .where(sibling.c.district_code == table.c.district_code)
        .correlate(table)
    )
    small_siblings = siblings.where(value > 0, value < threshold).scalar_subquery()
    # A sibling shown that comes before this one among the large (value, then code).
    before = siblings.where(
        value >= threshold,
        or_(value < population, and_(value == population, sibling.c.code < table.c.code)),
    ).scalar_subquery()
    small = and_(population > 0, population < threshold)
    next_smallest = and_(population >= threshold, small_siblings == 1, before == 0)
    return or_(small, next_smallest)


def _page(
    level: str,
    criteria: TerritoryCriteria,
    offset: int,
    limit: int,
    build: Callable[[list[ColumnElement[bool]]], Select[tuple[object, ...]]],
    kind: Hashable = None,
) -> tuple[Select[tuple[object, ...]], dict[str, Any]]:
    """A page of `level` (`build` adds the order to the selection with `where`), its
    statement kept per `kind` (of selection) and shape of the criteria, and its
    parameters."""
    params = _parameters(criteria, level)
    shape = (level, kind, frozenset(params), criteria.order, criteria.descending)

    def built() -> Select[tuple[object, ...]]:
        stmt = build(_where(level, params))
        return stmt.offset(bindparam("offset", type_=Integer)).limit(
            bindparam("limit", type_=Integer)
        )

    stmt = kept_statement(shape, built)
    params["offset"], params["limit"] = offset, limit
    return stmt, params


def _count(connection: Connection, level: str, criteria: TerritoryCriteria) -> int:
    table = LEVEL_TABLES[level]
    params = _parameters(criteria, level)
    stmt = kept_statement(
        ("count", level, frozenset(params)),
        lambda: select(func.count()).select_from(table).where(*_where(level, params)),
    )
    return int(fetch_rows(connection, stmt, params)[0][0] or 0)


def _fetch_coded(
    connection: Connection,
    level: str,
    record: type[R],
    criteria: TerritoryCriteria,
    offset: int,
    limit: int,
) -> list[R]:
    """A page of regions or districts, by code or by name."""
    table = LEVEL_TABLES[level]

    def build(where: list[ColumnElement[bool]]) -> Select[tuple[object, ...]]:
        stmt = select_records(record, table).where(*where)
        return stmt.order_by(*territory_list_order(level, criteria))

    stmt, params = _page(level, criteria, offset, limit, build)
    return to_records(record, fetch_rows(connection, stmt, params))


def fetch_regions(
    connection: Connection, criteria: TerritoryCriteria, offset: int, limit: int
) -> list[RegionRecord]:
    return _fetch_coded(connection, "region", RegionRecord, criteria, offset, limit)


def count_regions(connection: Connection, criteria: TerritoryCriteria) -> int:
    return _count(connection, "region", criteria)


def fetch_districts(
    connection: Connection, criteria: TerritoryCriteria, offset: int, limit: int
) -> list[DistrictRecord]:
    return _fetch_coded(connection, "district", DistrictRecord, criteria, offset, limit)


def count_districts(connection: Connection, criteria: TerritoryCriteria) -> int:
    return _count(connection, "district", criteria)


def mahalla_page(
    criteria: TerritoryCriteria,
    offset: int,
    limit: int,
    kind: Hashable,
    base: Callable[[], Select[Any]],
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of a page of mahallas selecting what `base` selects (from `mahalla`
    and tables joined to it; kept per `kind`), and its parameters."""

    def build(where: list[ColumnElement[bool]]) -> Select[tuple[object, ...]]:
        return base().where(*where).order_by(*territory_list_order("mahalla", criteria))

    return _page("mahalla", criteria, offset, limit, build, kind)


def count_mahallas(connection: Connection, criteria: TerritoryCriteria) -> int:
    return _count(connection, "mahalla", criteria)


def _assistants_statement(match: Match) -> Select[tuple[object, ...]]:
    return (
        select_records(AssistantRecord, ASSISTANT)
        .where(match([ASSISTANT.c.mahalla_code]))
        .order_by(ASSISTANT.c.is_current, ASSISTANT.c.appointed_on, ASSISTANT.c.id)
    )


def fetch_current_assistants(
    connection: Connection, mahalla_codes: Sequence[str]
) -> list[AssistantRecord | None]:
    """Each mahalla's current assistant: flagged current, else the latest appointment."""
    stmt, params = keyed(
        connection, "current_assistants", list(set(mahalla_codes)), _assistants_statement
    )
    current: dict[str, AssistantRecord] = {}
    for record in to_records(AssistantRecord, fetch_rows(connection, stmt, params)):
        current[record.mahalla_code] = record  # the last in this order wins
    return [current.get(code) for code in mahalla_codes]
