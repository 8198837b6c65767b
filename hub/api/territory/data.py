"""The territory data layer: records of regions, districts, mahallas and assistants, and
the paginated list queries over them. Functions take the caller's connection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlalchemy import ColumnElement, Connection, Select, func, select

from hub.api.batch_fetch import Match, keyed
from hub.api.records import select_records, table_of, to_records
from hub.api.territory.codes import mahalla_code_range
from hub.graph.models import Assistant, District, Mahalla, MahallaIndicators, Region

REGION = table_of(Region)
DISTRICT = table_of(District)
MAHALLA = table_of(Mahalla)
ASSISTANT = table_of(Assistant)
INDICATORS = table_of(MahallaIndicators)


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


def _name_condition(column: ColumnElement[str], fragment: str) -> ColumnElement[bool]:
    return func.lower(column).contains(fragment.lower(), autoescape=True)


def _ordered(
    stmt: Select[tuple[object, ...]],
    key: ColumnElement[object],
    code: ColumnElement[str],
    descending: bool,
) -> Select[tuple[object, ...]]:
    # The code breaks ties so that offsets are stable between pages.
    if descending:
        return stmt.order_by(key.desc(), code.desc())
    return stmt.order_by(key.asc(), code.asc())


def _region_where(criteria: TerritoryCriteria) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if criteria.region_code is not None:
        where.append(REGION.c.code == criteria.region_code)
    if criteria.name_contains:
        where.append(_name_condition(REGION.c.name, criteria.name_contains))
    return where


def fetch_regions(
    connection: Connection, criteria: TerritoryCriteria, offset: int, limit: int
) -> list[RegionRecord]:
    key = REGION.c.name if criteria.order is TerritoryOrder.NAME else REGION.c.code
    stmt = select_records(RegionRecord, REGION).where(*_region_where(criteria))
    stmt = _ordered(stmt, key, REGION.c.code, criteria.descending).offset(offset).limit(limit)
    return to_records(RegionRecord, connection.execute(stmt).all())


def count_regions(connection: Connection, criteria: TerritoryCriteria) -> int:
    stmt = select(func.count()).select_from(REGION).where(*_region_where(criteria))
    return int(connection.scalar(stmt) or 0)


def _district_where(criteria: TerritoryCriteria) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if criteria.region_code is not None:
        where.append(DISTRICT.c.region_code == criteria.region_code)
    if criteria.district_code is not None:
        where.append(DISTRICT.c.code == criteria.district_code)
    if criteria.name_contains:
        where.append(_name_condition(DISTRICT.c.name, criteria.name_contains))
    return where


def fetch_districts(
    connection: Connection, criteria: TerritoryCriteria, offset: int, limit: int
) -> list[DistrictRecord]:
    key = DISTRICT.c.name if criteria.order is TerritoryOrder.NAME else DISTRICT.c.code
    stmt = select_records(DistrictRecord, DISTRICT).where(*_district_where(criteria))
    stmt = _ordered(stmt, key, DISTRICT.c.code, criteria.descending).offset(offset).limit(limit)
    return to_records(DistrictRecord, connection.execute(stmt).all())


def count_districts(connection: Connection, criteria: TerritoryCriteria) -> int:
    stmt = select(func.count()).select_from(DISTRICT).where(*_district_where(criteria))
    return int(connection.scalar(stmt) or 0)


def _mahalla_where(criteria: TerritoryCriteria) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    for prefix in (criteria.region_code, criteria.district_code):
        if prefix is not None:
            low, high = mahalla_code_range(prefix)
            where.append(MAHALLA.c.code.between(low, high))
    if criteria.name_contains:
        where.append(_name_condition(MAHALLA.c.name, criteria.name_contains))
    return where


def fetch_mahallas(
    connection: Connection, criteria: TerritoryCriteria, offset: int, limit: int
) -> list[MahallaRecord]:
    stmt = select_records(MahallaRecord, MAHALLA).where(*_mahalla_where(criteria))
    key: ColumnElement[object]
    if criteria.order is TerritoryOrder.POPULATION:
        stmt = stmt.outerjoin(INDICATORS, INDICATORS.c.mahalla_code == MAHALLA.c.code)
        key = func.coalesce(INDICATORS.c.population, 0)
    elif criteria.order is TerritoryOrder.NAME:
        key = MAHALLA.c.name
    else:
        key = MAHALLA.c.code
    stmt = _ordered(stmt, key, MAHALLA.c.code, criteria.descending).offset(offset).limit(limit)
    return to_records(MahallaRecord, connection.execute(stmt).all())


def count_mahallas(connection: Connection, criteria: TerritoryCriteria) -> int:
    stmt = select(func.count()).select_from(MAHALLA).where(*_mahalla_where(criteria))
    return int(connection.scalar(stmt) or 0)


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
    for record in to_records(AssistantRecord, connection.execute(stmt, params).all()):
        current[record.mahalla_code] = record  # the last in this order wins
    return [current.get(code) for code in mahalla_codes]
