"""The graph's evidence about households and their members, as polars frames, as of a date.

Each function reads one kind of record with one SELECT (restricted to the households of
some mahallas when asked; for every household, the records of people in no household come
too, and the rule modules' joins to the members drop them) and returns a frame whose
columns are named here; the rule modules (categories, notebooks) only combine frames.
Every frame keeps the record key the evidence came from, so a finding can name the
records that decided it.

"As of" a date means what the agencies had said by that day: the latest employment status
on or before it, tax registrations open on it, subsidies issued in the months before it,
leases current and active (the newest land snapshot is the truth of the day it was taken).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from hub.graph.copy_frame import copy_frame
from hub.graph.models import (
    EmploymentRecord,
    Household,
    HouseholdMember,
    LandLease,
    Loan,
    NotebookEntry,
    Parcel,
    Person,
    TaxRegistration,
)


def read_frame(
    session: Session, stmt: Select[*tuple[Any, ...]], schema: dict[str, Any]
) -> pl.DataFrame:
    """The rows of `stmt` as a frame of `schema` (column names and polars types).

    Runs on the session's connection: on PostgreSQL through COPY into polars' CSV reader
    where the schema allows (`copy_frame`), else as Core rows (no ORM loading) turned into
    the frame column by column."""
    connection = session.connection()
    copied = copy_frame(connection, stmt, schema)
    if copied is not None:
        return copied
    result = connection.execute(stmt)
    columns = list(zip(*result.fetchall(), strict=False)) or [() for _ in schema]
    return pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=dtype)
            for (name, dtype), values in zip(schema.items(), columns, strict=True)
        }
    )


def whole_years(born: pl.Expr, on: date) -> pl.Expr:
    """Age in whole years on `on` (null when the birth date is unknown)."""
    before_birthday = (born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)) > (
        on.month * 100 + on.day
    )
    return pl.lit(on.year) - born.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)


def evidence_as_of(session: Session) -> date | None:
    """The last day the graph's evidence reaches: the latest survey, employment status or
    loan issue date (tax revisions run past the year they describe, so they are left out).
    None for an empty graph."""
    days = [
        session.scalar(select(func.max(Household.surveyed_on))),
        session.scalar(select(func.max(EmploymentRecord.status_on))),
        session.scalar(select(func.max(Loan.issued_on))),
    ]
    known = [d for d in days if d is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Scope:
    """The households of `mahalla_codes` (None: every household)."""

    mahalla_codes: Collection[str] | None = None

    def households(self) -> list[ColumnElement[bool]]:
        if self.mahalla_codes is None:
            return []
        return [Household.mahalla_code.in_(list(self.mahalla_codes))]

    def members(self) -> Any:
        """Person ids of the members of the scope's households (a subquery)."""
        return (
            select(HouseholdMember.person_id)
            .join(Household, Household.id == HouseholdMember.household_id)
            .where(*self.households())
        )

    def of_members(self, person_id: Any) -> list[ColumnElement[bool]]:
        """`person_id` is a member of the scope's households; no condition for every
        household: the rules join each record to its member, which drops the others, and
        at a million members the semi-join cost PostgreSQL 1.5-2.5 s per kind of record
        against 0.04-0.12 s for the plain read."""
        if self.mahalla_codes is None:
            return []
        return [person_id.in_(self.members())]


def load_households(session: Session, scope: Scope) -> pl.DataFrame:
    stmt = select(
        Household.id,
        Household.mahalla_code,
        Household.survey_id,
        Household.assessed_category,
        Household.monthly_income_uzs,
    ).where(*scope.households())
    schema = {
        "household_id": pl.Int64,
        "mahalla_code": pl.String,
        "survey_id": pl.String,
        "assessed_category": pl.Int16,
        "stated_uzs": pl.Int64,
    }
    return read_frame(session, stmt, schema)


def load_members(session: Session, scope: Scope, as_of: date) -> pl.DataFrame:
    """Members with their age on `as_of`, sex and survey occupation."""
    stmt = (
        select(
            HouseholdMember.household_id,
            Person.id,
            Person.hub_id,
            Person.birth_on,
            Person.sex,
            Person.occupation,
        )
        .join(Person, Person.id == HouseholdMember.person_id)
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(*scope.households())
    )
    schema = {
        "household_id": pl.Int64,
        "person_id": pl.Int64,
        "hub_id": pl.String,
        "birth_on": pl.Date,
        "sex": pl.String,
        "occupation": pl.String,
    }
    members = read_frame(session, stmt, schema)
    return members.with_columns(age=whole_years(pl.col("birth_on"), as_of))


def load_latest_status(session: Session, scope: Scope, as_of: date) -> pl.DataFrame:
    """Each member's latest employment-agency status on or before `as_of` (latest
    `status_on`, then the higher record number)."""
    stmt = select(
        EmploymentRecord.person_id,
        EmploymentRecord.record_no,
        EmploymentRecord.status,
        EmploymentRecord.status_on,
    ).where(*scope.of_members(EmploymentRecord.person_id), EmploymentRecord.status_on <= as_of)
    schema = {
        "person_id": pl.Int64,
        "record_no": pl.String,
        "status": pl.String,
        "status_on": pl.Date,
    }
    records = read_frame(session, stmt, schema)
    return (
        records.sort(["person_id", "status_on", "record_no"], descending=[False, True, True])
        .group_by("person_id", maintain_order=True)
        .first()
    )


def load_declared_income(session: Session, scope: Scope, as_of: date) -> pl.DataFrame:
    """Tax registrations open on `as_of` with their declared annual income."""
    stmt = select(
        TaxRegistration.person_id, TaxRegistration.tin, TaxRegistration.declared_income_tiyin
    ).where(
        *scope.of_members(TaxRegistration.person_id),
        TaxRegistration.registered_on <= as_of,
        or_(TaxRegistration.closed_on.is_(None), TaxRegistration.closed_on > as_of),
    )
    schema = {"person_id": pl.Int64, "tin": pl.String, "declared_tiyin": pl.Int64}
    return read_frame(session, stmt, schema)


def load_loans(session: Session, scope: Scope, as_of: date, subsidy_months: int) -> pl.DataFrame:
    """Members' loans issued by `as_of`, and subsidies issued in the `subsidy_months`
    before it (`counts_as_income`): older subsidies are spent, loans are never income."""
    stmt = select(
        Loan.person_id, Loan.loan_id, Loan.kind, Loan.program, Loan.amount_tiyin, Loan.issued_on
    ).where(*scope.of_members(Loan.person_id), Loan.issued_on <= as_of)
    schema = {
        "person_id": pl.Int64,
        "loan_id": pl.String,
        "kind": pl.String,
        "program": pl.String,
        "amount_tiyin": pl.Int64,
        "issued_on": pl.Date,
    }
    since = as_of - timedelta(days=round(subsidy_months * 365.25 / 12))
    return read_frame(session, stmt, schema).with_columns(
        counts_as_income=(pl.col("kind") == "subsidy") & (pl.col("issued_on") > since)
    )


def load_leases(session: Session, scope: Scope) -> pl.DataFrame:
    """Members' current, active land leases with the parcel's area."""
    stmt = (
        select(LandLease.person_id, LandLease.lease_id, Parcel.area_ha, Parcel.purpose)
        .join(Parcel, Parcel.id == LandLease.parcel_id)
        .where(
            *scope.of_members(LandLease.person_id),
            LandLease.is_current.is_(True),
            LandLease.status == "active",
        )
    )
    schema = {
        "person_id": pl.Int64,
        "lease_id": pl.String,
        "area_ha": pl.Float64,
        "purpose": pl.String,
    }
    return read_frame(session, stmt, schema)


def load_notebooks(session: Session, scope: Scope) -> pl.DataFrame:
    """Members' notebook entries (one row per person and notebook, the earliest record)."""
    stmt = select(
        NotebookEntry.person_id,
        NotebookEntry.notebook,
        NotebookEntry.source,
        NotebookEntry.record_key,
    ).where(*scope.of_members(NotebookEntry.person_id))
    schema = {
        "person_id": pl.Int64,
        "notebook": pl.String,
        "source": pl.String,
        "record_key": pl.String,
    }
    entries = read_frame(session, stmt, schema)
    return entries.sort(["person_id", "notebook", "source", "record_key"]).with_columns(
        record=pl.col("source") + ":" + pl.col("record_key")
    )
