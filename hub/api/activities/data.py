"""Records of the agency facts; loaders fetch them by natural key or by person in batches
(`hub.api.batch_fetch`), so this module only declares what is read from each table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hub.api.records import table_of
from hub.graph.models import (
    Appeal,
    Business,
    EmploymentRecord,
    LandLease,
    Loan,
    NotebookEntry,
    Parcel,
    TaxRegistration,
)

TAX = table_of(TaxRegistration)
EMPLOYMENT = table_of(EmploymentRecord)
LEASE = table_of(LandLease)
PARCEL = table_of(Parcel)
BUSINESS = table_of(Business)
LOAN = table_of(Loan)
NOTEBOOK = table_of(NotebookEntry)
APPEAL = table_of(Appeal)


@dataclass(frozen=True, slots=True)
class TaxRecord:
    tin: str
    person_id: int | None
    regime: str
    activity_code: str | None
    registered_on: date
    closed_on: date | None
    declared_income_tiyin: int | None
    tax_year: int | None
    mahalla_code: str | None
    address: str | None
    source_updated_at: datetime
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class EmploymentRecordRow:
    record_no: str
    person_id: int | None
    status: str
    status_on: date
    employer_tin: str | None
    referral: str | None
    mahalla_code: str | None
    source_file: str
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    lease_id: str
    contract: str | None
    status: str
    parcel_id: int
    person_id: int | None
    business_id: int | None
    lessee_kind: str
    lessee_name: str | None
    start_on: date
    end_on: date | None
    is_current: bool
    snapshot_on: date
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class ParcelRecord:
    id: int
    cadastre: str
    mahalla_code: str | None
    area_ha: Decimal
    purpose: str
    crop: str | None


@dataclass(frozen=True, slots=True)
class BusinessRecord:
    id: int
    tin: str
    name: str | None
    mahalla_code: str | None


@dataclass(frozen=True, slots=True)
class LoanRecord:
    loan_id: str
    bank_mfo: str
    kind: str
    program: str
    person_id: int | None
    borrower_name: str | None
    amount_tiyin: int
    issued_on: date
    term_months: int | None
    status: str
    purpose: str | None
    mahalla_code: str | None
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class NotebookRecord:
    notebook: str
    source: str
    record_key: str
    person_id: int
    entered_on: date | None


@dataclass(frozen=True, slots=True)
class AppealRecord:
    appeal_id: str
    person_id: int | None
    received_at: datetime
    channel: str
    mahalla_code: str | None
    applicant_name: str | None
    applicant_phone: str | None
    topic: str
    addressed_to: str | None
    status: str
    resolved_at: datetime | None
