"""The diagnostics' lists, read a page at a time from their precomputed tables: the
ratings of assistants and of state bodies per quarter, and per mahalla the households
whose assessed and computed categories disagree and the notebook findings.

Every list is read through a criteria object holding its conditions, the caller's row
filter among them (`hub.api.access.rows`: an agency key's territory, as a range of mahalla
codes), so a row the caller may not see never leaves the database and pages and counts
agree. Statements are built once per shape and kept, their values bound per request: a
dashboard reads four lists, and building each statement anew was most of their cost.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, bindparam, func, select

from hub.api.batch_fetch import kept_statement
from hub.api.driver_rows import fetch_rows
from hub.api.records import record_columns, table_of, to_records
from hub.graph.models import AssistantRating, BodyRating, HouseholdCategoryEvidence, NotebookFinding

ASSISTANT_RATING = table_of(AssistantRating)
BODY_RATING = table_of(BodyRating)
EVIDENCE = table_of(HouseholdCategoryEvidence)
FINDING = table_of(NotebookFinding)


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
    """What one list is filtered by: `shape` names the statement (which filters are on),
    `where` builds its conditions on bind parameters (once per shape: statements are kept,
    `batch_fetch.kept_statement`), `params` fills them; `order_by` is the list's order."""

    table: Table
    record: type[Any]
    shape: tuple[Hashable, ...]
    where: Callable[[], list[ColumnElement[bool]]]
    order_by: Callable[[], list[ColumnElement[Any]]]
    params: dict[str, Any]


Territory = tuple[str, str] | None  # the (lowest, highest) mahalla code a key may see


def _territory(where: list[ColumnElement[bool]], table: Table, on: bool) -> None:
    if on:
        where.append(table.c.mahalla_code.between(bindparam("low"), bindparam("high")))


def _params(territory: Territory, **values: Any) -> dict[str, Any]:
    params = {k: v for k, v in values.items() if v is not None}
    if territory is not None:
        params["low"], params["high"] = territory
    return params


def assistant_rating_criteria(
    quarter_on: date, region_code: str | None, district_code: str | None, territory: Territory
) -> ListCriteria:
    """A quarter's assistants, by their rank in the narrowest territory filtered on."""
    t = ASSISTANT_RATING.c
    filters = (region_code is not None, district_code is not None, territory is not None)
    shape = ("assistant_rating", *filters)

    def where() -> list[ColumnElement[bool]]:
        found = [t.quarter_on == bindparam("quarter")]
        if region_code is not None:
            found.append(t.region_code == bindparam("region"))
        if district_code is not None:
            found.append(t.district_code == bindparam("district"))
        _territory(found, ASSISTANT_RATING, territory is not None)
        return found

    def order_by() -> list[ColumnElement[Any]]:
        if district_code is not None:
            return [t.rank_in_district, t.mahalla_code]
        if region_code is not None:
            return [t.rank_in_region, t.mahalla_code]
        return [t.rank_in_country, t.mahalla_code]

    params = _params(territory, quarter=quarter_on, region=region_code, district=district_code)
    return ListCriteria(ASSISTANT_RATING, AssistantRatingRecord, shape, where, order_by, params)


def body_rating_criteria(quarter_on: date) -> ListCriteria:
    """A quarter's bodies by rank; the unranked (too few appeals, no addressee) last."""
    t = BODY_RATING.c
    return ListCriteria(
        BODY_RATING,
        BodyRatingRecord,
        ("body_rating",),
        lambda: [t.quarter_on == bindparam("quarter")],
        lambda: [t.rank.nulls_last(), t.body],
        {"quarter": quarter_on},
    )


def disagreement_criteria(mahalla_code: str, territory: Territory) -> ListCriteria:
    """A mahalla's households whose assessed and computed categories are both known and
    differ, by the rule that decided, then household id (the order of the index on
    mahalla and rule: by household id alone, PostgreSQL walked the primary key and
    filtered the whole table, 0.3 s on a million people)."""
    t = EVIDENCE.c

    def where() -> list[ColumnElement[bool]]:
        found = [
            t.mahalla_code == bindparam("mahalla"),
            t.assessed_category.is_not(None),
            t.computed_category.is_not(None),
            t.assessed_category != t.computed_category,
        ]
        _territory(found, EVIDENCE, territory is not None)
        return found

    return ListCriteria(
        EVIDENCE,
        DisagreementRecord,
        ("disagreements", territory is not None),
        where,
        lambda: [t.rule, t.household_id],
        _params(territory, mahalla=mahalla_code),
    )


def finding_criteria(
    mahalla_code: str, notebook: str | None, finding: str | None, territory: Territory
) -> ListCriteria:
    """A mahalla's notebook findings by notebook, kind and person."""
    t = FINDING.c

    def where() -> list[ColumnElement[bool]]:
        found = [t.mahalla_code == bindparam("mahalla")]
        if notebook is not None:
            found.append(t.notebook == bindparam("notebook"))
        if finding is not None:
            found.append(t.finding == bindparam("finding"))
        _territory(found, FINDING, territory is not None)
        return found

    return ListCriteria(
        FINDING,
        FindingRecord,
        ("findings", notebook is not None, finding is not None, territory is not None),
        where,
        lambda: [t.notebook, t.finding, t.person_id],
        _params(territory, mahalla=mahalla_code, notebook=notebook, finding=finding),
    )


@dataclass(slots=True)
class Page:
    """A page's records, and the whole list's count when the page's statement gave it."""

    records: list[Any]
    total: int | None


def fetch_page(connection: Connection, criteria: ListCriteria, offset: int, limit: int) -> Page:
    """Rows `[offset, offset + limit)` of the list, with the list's count beside each row
    (a window count: the page's statement answers `totalCount` too, when it has a row)."""

    def build() -> Select[Any]:
        table, record = criteria.table, criteria.record
        return (
            select(*record_columns(record, table), func.count().over().label("total"))
            .where(*criteria.where())
            .order_by(*criteria.order_by())
            .offset(bindparam("offset"))
            .limit(bindparam("limit"))
        )

    stmt = kept_statement(("page", *criteria.shape), build)
    rows = fetch_rows(connection, stmt, {**criteria.params, "offset": offset, "limit": limit})
    total = int(rows[0][-1]) if rows else (0 if offset == 0 else None)
    return Page(to_records(criteria.record, (row[:-1] for row in rows)), total)


def count_rows(connection: Connection, criteria: ListCriteria) -> int:
    """How many rows the whole list has."""
    stmt = kept_statement(
        ("count", *criteria.shape),
        lambda: select(func.count()).select_from(criteria.table).where(*criteria.where()),
    )
    return int(fetch_rows(connection, stmt, criteria.params)[0][0])
