"""Per-mahalla indicators, recomputed from the graph with a few set-based GROUP BY queries.

`refresh_mahalla_indicators` writes one `mahalla_indicators` row per mahalla (every
mahalla, with zeros where nothing is known) in the caller's transaction. Each figure is one
GROUP BY over the whole graph (or over the mahallas asked for), never a loop over people.

Rules (what each figure counts, and in which mahalla):

- population: golden persons by `person.mahalla_code`.
- employed / unemployed / public_works / in_training: each person once, by the status of
  their latest employment-agency record (latest `status_on`, then record number), or, when
  they have none, their survey occupation (`employed`, `unemployed`, `public_works`; the
  survey has no "training"). Unlinked employment records are not counted: they are not
  known to be anyone in the mahalla's population.
- self_employed / entrepreneurs: open tax registrations (no `closed_on`) by regime
  (`self_employed`, `individual_entrepreneur`), in the linked person's mahalla, else the
  registration's own `mahalla_code`.
- active_leases / leased_area_ha: current (`is_current`) active leases, in the mahalla of
  the parcel, with the parcel's area.
- loans_by_program: loans and subsidies by programme, `{"count", "amount_tiyin"}`, in the
  borrower's mahalla, else the loan's `mahalla_code`.
- notebook_entries: distinct persons per notebook, in the person's mahalla.
- appeals_total / appeals_open / appeals_by_topic: appeals in the appeal's `mahalla_code`,
  else the applicant's; open = `received` or `in_progress`.
- households, households_by_assessed_category / _by_computed_category (keys "1".."4" and
  "unknown"), category_mismatches (both categories set and different): households by
  `household.mahalla_code`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.orm import Session

from hub.graph.bulk import upsert_rows
from hub.graph.models import (
    Appeal,
    EmploymentRecord,
    Household,
    LandLease,
    Loan,
    Mahalla,
    MahallaIndicators,
    NotebookEntry,
    Parcel,
    Person,
    TaxRegistration,
)

OPEN_APPEAL_STATUSES = ("received", "in_progress")
# The employment status (or survey occupation) each status indicator counts.
STATUS_INDICATORS = {
    "employed": "employed",
    "unemployed": "unemployed",
    "public_works": "public_works",
    "training": "in_training",
}
REGIME_INDICATORS = {"self_employed": "self_employed", "individual_entrepreneur": "entrepreneurs"}
UNKNOWN_CATEGORY = "unknown"


def _table(model: Any) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table.")
    return table


PERSON = _table(Person)
HOUSEHOLD = _table(Household)
EMPLOYMENT = _table(EmploymentRecord)
TAX = _table(TaxRegistration)
LEASE = _table(LandLease)
PARCEL = _table(Parcel)
LOAN = _table(Loan)
NOTEBOOK = _table(NotebookEntry)
APPEAL = _table(Appeal)
MAHALLA = _table(Mahalla)

Figures = dict[str, dict[str, Any]]


def _within(column: ColumnElement[Any], codes: list[str] | None) -> list[ColumnElement[bool]]:
    return [column.is_not(None)] if codes is None else [column.in_(codes)]


def _empty_row(code: str, now: datetime) -> dict[str, Any]:
    return {
        "mahalla_code": code,
        "population": 0,
        "households": 0,
        "households_by_assessed_category": {},
        "households_by_computed_category": {},
        "category_mismatches": 0,
        "employed": 0,
        "unemployed": 0,
        "self_employed": 0,
        "entrepreneurs": 0,
        "public_works": 0,
        "in_training": 0,
        "active_leases": 0,
        "leased_area_ha": 0.0,
        "loans_by_program": {},
        "notebook_entries": {},
        "appeals_total": 0,
        "appeals_open": 0,
        "appeals_by_topic": {},
        "computed_at": now,
    }


def _add_people(session: Session, rows: Figures, codes: list[str] | None) -> None:
    latest = (
        select(
            EMPLOYMENT.c.person_id,
            EMPLOYMENT.c.status,
            func.row_number()
            .over(
                partition_by=EMPLOYMENT.c.person_id,
                order_by=(EMPLOYMENT.c.status_on.desc(), EMPLOYMENT.c.record_no.desc()),
            )
            .label("rank"),
        )
        .where(EMPLOYMENT.c.person_id.is_not(None))
        .subquery()
    )
    status = func.coalesce(latest.c.status, PERSON.c.occupation)
    stmt = (
        select(PERSON.c.mahalla_code, status, func.count())
        .select_from(PERSON)
        .outerjoin(latest, (latest.c.person_id == PERSON.c.id) & (latest.c.rank == 1))
        .where(*_within(PERSON.c.mahalla_code, codes))
        .group_by(PERSON.c.mahalla_code, status)
    )
    for code, value, n in session.execute(stmt):
        if code not in rows:
            continue
        rows[code]["population"] += n
        indicator = STATUS_INDICATORS.get(value)
        if indicator is not None:
            rows[code][indicator] += n


def _add_households(session: Session, rows: Figures, codes: list[str] | None) -> None:
    assessed, computed = HOUSEHOLD.c.assessed_category, HOUSEHOLD.c.computed_category
    stmt = (
        select(HOUSEHOLD.c.mahalla_code, assessed, computed, func.count())
        .where(*_within(HOUSEHOLD.c.mahalla_code, codes))
        .group_by(HOUSEHOLD.c.mahalla_code, assessed, computed)
    )
    by_assessed: defaultdict[str, Counter[str]] = defaultdict(Counter)
    by_computed: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for code, first, second, n in session.execute(stmt):
        if code not in rows:
            continue
        row = rows[code]
        row["households"] += n
        by_assessed[code][UNKNOWN_CATEGORY if first is None else str(first)] += n
        by_computed[code][UNKNOWN_CATEGORY if second is None else str(second)] += n
        if first is not None and second is not None and first != second:
            row["category_mismatches"] += n
    for code, counts in by_assessed.items():
        rows[code]["households_by_assessed_category"] = dict(sorted(counts.items()))
    for code, counts in by_computed.items():
        rows[code]["households_by_computed_category"] = dict(sorted(counts.items()))


def _add_tax(session: Session, rows: Figures, codes: list[str] | None) -> None:
    place = func.coalesce(PERSON.c.mahalla_code, TAX.c.mahalla_code)
    stmt = (
        select(place, TAX.c.regime, func.count())
        .select_from(TAX)
        .outerjoin(PERSON, PERSON.c.id == TAX.c.person_id)
        .where(TAX.c.closed_on.is_(None), *_within(place, codes))
        .group_by(place, TAX.c.regime)
    )
    for code, regime, n in session.execute(stmt):
        indicator = REGIME_INDICATORS.get(regime)
        if code in rows and indicator is not None:
            rows[code][indicator] += n


def _add_land(session: Session, rows: Figures, codes: list[str] | None) -> None:
    stmt = (
        select(PARCEL.c.mahalla_code, func.count(), func.sum(PARCEL.c.area_ha))
        .select_from(LEASE)
        .join(PARCEL, PARCEL.c.id == LEASE.c.parcel_id)
        .where(
            LEASE.c.is_current.is_(True),
            LEASE.c.status == "active",
            *_within(PARCEL.c.mahalla_code, codes),
        )
        .group_by(PARCEL.c.mahalla_code)
    )
    for code, n, area in session.execute(stmt):
        if code in rows:
            rows[code]["active_leases"] = n
            rows[code]["leased_area_ha"] = round(float(Decimal(area or 0)), 4)


def _add_loans(session: Session, rows: Figures, codes: list[str] | None) -> None:
    place = func.coalesce(PERSON.c.mahalla_code, LOAN.c.mahalla_code)
    stmt = (
        select(place, LOAN.c.program, func.count(), func.sum(LOAN.c.amount_tiyin))
        .select_from(LOAN)
        .outerjoin(PERSON, PERSON.c.id == LOAN.c.person_id)
        .where(*_within(place, codes))
        .group_by(place, LOAN.c.program)
        .order_by(place, LOAN.c.program)
    )
    for code, program, n, amount in session.execute(stmt):
        if code in rows:
            rows[code]["loans_by_program"][program] = {
                "count": n,
                "amount_tiyin": int(amount or 0),
            }


def _add_notebooks(session: Session, rows: Figures, codes: list[str] | None) -> None:
    stmt = (
        select(
            PERSON.c.mahalla_code, NOTEBOOK.c.notebook, func.count(NOTEBOOK.c.person_id.distinct())
        )
        .select_from(NOTEBOOK)
        .join(PERSON, PERSON.c.id == NOTEBOOK.c.person_id)
        .where(*_within(PERSON.c.mahalla_code, codes))
        .group_by(PERSON.c.mahalla_code, NOTEBOOK.c.notebook)
        .order_by(PERSON.c.mahalla_code, NOTEBOOK.c.notebook)
    )
    for code, notebook, n in session.execute(stmt):
        if code in rows:
            rows[code]["notebook_entries"][notebook] = n


def _add_appeals(session: Session, rows: Figures, codes: list[str] | None) -> None:
    place = func.coalesce(APPEAL.c.mahalla_code, PERSON.c.mahalla_code)
    stmt = (
        select(place, APPEAL.c.topic, APPEAL.c.status, func.count())
        .select_from(APPEAL)
        .outerjoin(PERSON, PERSON.c.id == APPEAL.c.person_id)
        .where(*_within(place, codes))
        .group_by(place, APPEAL.c.topic, APPEAL.c.status)
    )
    for code, topic, status, n in session.execute(stmt):
        if code not in rows:
            continue
        row = rows[code]
        row["appeals_total"] += n
        if status in OPEN_APPEAL_STATUSES:
            row["appeals_open"] += n
        row["appeals_by_topic"][topic] = row["appeals_by_topic"].get(topic, 0) + n
    for row in rows.values():
        row["appeals_by_topic"] = dict(sorted(row["appeals_by_topic"].items()))


def _mahalla_codes(session: Session, wanted: Iterable[str] | None) -> list[str]:
    stmt = select(MAHALLA.c.code).order_by(MAHALLA.c.code)
    if wanted is not None:
        stmt = stmt.where(MAHALLA.c.code.in_(list(wanted)))
    return list(session.scalars(stmt))


def refresh_mahalla_indicators(
    session: Session, mahalla_codes: Collection[str] | None = None
) -> int:
    """Recompute the indicators of `mahalla_codes` (default: every mahalla); return the
    number of rows written. Runs in the caller's transaction; codes of mahallas that do not
    exist are ignored."""
    codes = _mahalla_codes(session, None if mahalla_codes is None else set(mahalla_codes))
    if not codes:
        return 0
    now = datetime.now(UTC)
    rows: Figures = {code: _empty_row(code, now) for code in codes}
    restrict = None if mahalla_codes is None else codes
    for add in (
        _add_people,
        _add_households,
        _add_tax,
        _add_land,
        _add_loans,
        _add_notebooks,
        _add_appeals,
    ):
        add(session, rows, restrict)
    upsert_rows(session, MahallaIndicators, list(rows.values()), key=["mahalla_code"])
    return len(rows)
