"""The diagnostics' lists, read a page at a time from their precomputed tables: the
ratings of assistants and of state bodies per quarter, and per mahalla the households
whose assessed and computed categories disagree and the notebook findings.

Every function takes its WHERE conditions from a criteria object, the caller's row filter
among them (`hub.api.access.rows`: an agency key's territory), so a row the caller may
not see never leaves the database and pages and counts agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, func, select

from hub.api.records import record_columns, table_of, to_records
from hub.graph.models import AssistantRating, BodyRating, HouseholdCategoryEvidence, NotebookFinding

ASSISTANT_RATING = table_of(AssistantRating)
BODY_RATING = table_of(BodyRating)
EVIDENCE = table_of(HouseholdCategoryEvidence)
FINDING = table_of(NotebookFinding)

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class AssistantRatingRecord:
    quarter_on: date
    mahalla_code: str
    assistant_id: str | None
    district_code: str
    region_code: str
    score: float
    components: dict[str, Any]
    rank_in_district: int
    rank_in_region: int
    rank_in_country: int


@dataclass(frozen=True, slots=True)
class BodyRatingRecord:
    quarter_on: date
    body: str
    received: int
    resolved: int
    resolution_rate: float | None
    median_days: float | None
    p90_days: float | None
    overdue_open: int
    rank: int | None


@dataclass(frozen=True, slots=True)
class DisagreementRecord:
    household_id: int
    mahalla_code: str
    as_of_on: date
    rules_version: str
    assessed_category: int
    computed_category: int
    income_category: int | None
    rule: str
    members: int
    able_adults: int
    stated_income_uzs: int | None
    declared_income_uzs: int
    wage_income_uzs: int
    subsidy_income_uzs: int
    land_income_uzs: int
    income_uzs: int | None
    income_basis: str | None
    per_capita_uzs: int | None
    mce_uzs: int
    explanation: str
    records: list[str]


@dataclass(frozen=True, slots=True)
class FindingRecord:
    person_id: int
    notebook: str
    mahalla_code: str
    household_id: int | None
    finding: str
    reason: str
    records: list[str]
    as_of_on: date


@dataclass(frozen=True, slots=True)
class ListCriteria:
    """What one list is filtered by: conditions on its table (the caller's row filter
    among them) and its order."""

    where: tuple[ColumnElement[bool], ...]
    order_by: tuple[ColumnElement[Any], ...]


def assistant_rating_criteria(
    quarter_on: date,
    region_code: str | None,
    district_code: str | None,
    rows: ColumnElement[bool] | None,
) -> ListCriteria:
    """A quarter's assistants, by their rank in the narrowest territory filtered on."""
    t = ASSISTANT_RATING.c
    where = [t.quarter_on == quarter_on]
    rank = t.rank_in_country
    if region_code is not None:
        where.append(t.region_code == region_code)
        rank = t.rank_in_region
    if district_code is not None:
        where.append(t.district_code == district_code)
        rank = t.rank_in_district
    if rows is not None:
        where.append(rows)
    return ListCriteria(tuple(where), (rank, t.mahalla_code))


def body_rating_criteria(quarter_on: date) -> ListCriteria:
    """A quarter's bodies by rank; the unranked (too few appeals, no addressee) last."""
    t = BODY_RATING.c
    return ListCriteria((t.quarter_on == quarter_on,), (t.rank.nulls_last(), t.body))


def disagreement_criteria(mahalla_code: str, rows: ColumnElement[bool] | None) -> ListCriteria:
    """A mahalla's households whose assessed and computed categories are both known and
    differ, by household id."""
    t = EVIDENCE.c
    where = [
        t.mahalla_code == mahalla_code,
        t.assessed_category.is_not(None),
        t.computed_category.is_not(None),
        t.assessed_category != t.computed_category,
    ]
    if rows is not None:
        where.append(rows)
    return ListCriteria(tuple(where), (t.household_id,))


def finding_criteria(
    mahalla_code: str,
    notebook: str | None,
    finding: str | None,
    rows: ColumnElement[bool] | None,
) -> ListCriteria:
    """A mahalla's notebook findings by notebook, kind and person."""
    t = FINDING.c
    where = [t.mahalla_code == mahalla_code]
    if notebook is not None:
        where.append(t.notebook == notebook)
    if finding is not None:
        where.append(t.finding == finding)
    if rows is not None:
        where.append(rows)
    return ListCriteria(tuple(where), (t.notebook, t.finding, t.person_id))


def _fetch(
    connection: Connection,
    record: type[R],
    table: Table,
    criteria: ListCriteria,
    offset: int,
    limit: int,
) -> list[R]:
    stmt = (
        select(*record_columns(record, table))
        .where(*criteria.where)
        .order_by(*criteria.order_by)
        .offset(offset)
        .limit(limit)
    )
    return to_records(record, connection.execute(stmt))


def _count(connection: Connection, table: Table, criteria: ListCriteria) -> int:
    stmt = select(func.count()).select_from(table).where(*criteria.where)
    return int(connection.execute(stmt).scalar_one())


def fetch_assistant_ratings(
    connection: Connection, criteria: ListCriteria, offset: int, limit: int
) -> list[AssistantRatingRecord]:
    return _fetch(connection, AssistantRatingRecord, ASSISTANT_RATING, criteria, offset, limit)


def fetch_body_ratings(
    connection: Connection, criteria: ListCriteria, offset: int, limit: int
) -> list[BodyRatingRecord]:
    return _fetch(connection, BodyRatingRecord, BODY_RATING, criteria, offset, limit)


def fetch_disagreements(
    connection: Connection, criteria: ListCriteria, offset: int, limit: int
) -> list[DisagreementRecord]:
    return _fetch(connection, DisagreementRecord, EVIDENCE, criteria, offset, limit)


def fetch_findings(
    connection: Connection, criteria: ListCriteria, offset: int, limit: int
) -> list[FindingRecord]:
    return _fetch(connection, FindingRecord, FINDING, criteria, offset, limit)


def count_rows(connection: Connection, table: Table, criteria: ListCriteria) -> int:
    """How many rows of `table` match `criteria` (every page's)."""
    return _count(connection, table, criteria)


def fetch_mahalla_ratings(
    connection: Connection,
    keys: Sequence[tuple[date, str]],
    rows: ColumnElement[bool] | None = None,
) -> list[AssistantRatingRecord | None]:
    """The rating of each (quarter, mahalla code), None where there is none or the row
    filter `rows` hides it."""
    t = ASSISTANT_RATING.c
    quarters = sorted({q for q, _ in keys})
    codes = sorted({c for _, c in keys})
    stmt = select(*record_columns(AssistantRatingRecord, ASSISTANT_RATING)).where(
        t.quarter_on.in_(quarters), t.mahalla_code.in_(codes), *([] if rows is None else [rows])
    )
    records = to_records(AssistantRatingRecord, connection.execute(stmt))
    found = {(r.quarter_on, r.mahalla_code): r for r in records}
    return [found.get(key) for key in keys]
