"""What the agencies know about a person: one table per kind of agency fact.

Each row is keyed by its source record key (unique), so reloading a delivery updates
rows in place. `person_id` is the golden person the record was linked to, or null when
the record could not be linked (an anonymous appeal, a lessee that is a company).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.models.sourced import SourcedMixin
from hub.graph.types import (
    BigId,
    UtcDateTime,
    mahalla_code_str,
    name_str,
    pk_id,
    record_key_str,
    short_str,
    source_id_str,
    tin_str,
)


def _person_fk() -> Mapped[int | None]:
    return mapped_column(BigId, ForeignKey("person.id", ondelete="SET NULL"), index=True)


class Business(SourcedMixin, Base):
    """A legal entity known by its TIN (a lessee, an employer)."""

    __tablename__ = "business"

    id: Mapped[pk_id]
    tin: Mapped[tin_str] = mapped_column(unique=True)
    name: Mapped[name_str | None]
    mahalla_code: Mapped[mahalla_code_str | None]


class TaxRegistration(SourcedMixin, Base):
    """Self-employment or individual entrepreneurship (source: tax, key: tin)."""

    __tablename__ = "tax_registration"

    id: Mapped[pk_id]
    tin: Mapped[tin_str] = mapped_column(unique=True)
    person_id: Mapped[int | None] = _person_fk()
    regime: Mapped[short_str]
    activity_code: Mapped[str | None] = mapped_column(String(8))
    registered_on: Mapped[date]
    closed_on: Mapped[date | None]
    declared_income_tiyin: Mapped[int | None] = mapped_column(BigId)
    tax_year: Mapped[int | None]
    mahalla_code: Mapped[mahalla_code_str | None] = mapped_column(index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    source_updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EmploymentRecord(SourcedMixin, Base):
    """A job seeker's or placement's status (source: employment, key: record number)."""

    __tablename__ = "employment_record"

    id: Mapped[pk_id]
    record_no: Mapped[record_key_str] = mapped_column(unique=True)
    person_id: Mapped[int | None] = _person_fk()
    status: Mapped[short_str]
    status_on: Mapped[date]
    employer_tin: Mapped[tin_str | None]
    referral: Mapped[str | None] = mapped_column(String(300))
    mahalla_code: Mapped[mahalla_code_str | None] = mapped_column(index=True)
    # The monthly file the current values came from: a later month wins.
    source_file: Mapped[str] = mapped_column(String(100))


class Parcel(Base):
    __tablename__ = "parcel"

    id: Mapped[pk_id]
    cadastre: Mapped[str] = mapped_column(String(40), unique=True)
    mahalla_code: Mapped[mahalla_code_str | None] = mapped_column(index=True)
    area_ha: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    purpose: Mapped[short_str]
    crop: Mapped[str | None] = mapped_column(String(64))


class LandLease(SourcedMixin, Base):
    """A land lease (source: land, key: Lease/@id); the newest snapshot decides `is_current`."""

    __tablename__ = "land_lease"

    id: Mapped[pk_id]
    lease_id: Mapped[record_key_str] = mapped_column(unique=True)
    contract: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[short_str]
    parcel_id: Mapped[int] = mapped_column(BigId, ForeignKey("parcel.id"), index=True)
    person_id: Mapped[int | None] = _person_fk()
    business_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("business.id", ondelete="SET NULL"), index=True
    )
    lessee_kind: Mapped[short_str]
    lessee_name: Mapped[name_str | None]
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    is_current: Mapped[bool] = mapped_column(default=True)
    snapshot_on: Mapped[date]


class Loan(SourcedMixin, Base):
    """A loan or subsidy (source: bank, key: loan_id)."""

    __tablename__ = "loan"

    id: Mapped[pk_id]
    loan_id: Mapped[record_key_str] = mapped_column(unique=True)
    bank_mfo: Mapped[str] = mapped_column(String(5))
    kind: Mapped[short_str]
    program: Mapped[short_str] = mapped_column(index=True)
    person_id: Mapped[int | None] = _person_fk()
    borrower_name: Mapped[name_str | None]
    amount_tiyin: Mapped[int] = mapped_column(BigId)
    issued_on: Mapped[date]
    term_months: Mapped[int | None]
    status: Mapped[short_str]
    purpose: Mapped[str | None] = mapped_column(String(64))
    mahalla_code: Mapped[mahalla_code_str | None] = mapped_column(index=True)


class NotebookEntry(SourcedMixin, Base):
    """A person's entry in the Iron, Women's or Youth notebook, and the record that says so."""

    __tablename__ = "notebook_entry"
    __table_args__ = (UniqueConstraint("source", "record_key", "notebook"),)

    id: Mapped[pk_id]
    person_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    notebook: Mapped[short_str]
    source: Mapped[source_id_str]
    record_key: Mapped[record_key_str]
    entered_on: Mapped[date | None]


class Appeal(SourcedMixin, Base):
    """A citizen's appeal (source: appeals, key: appeal_id); the applicant may be anonymous."""

    __tablename__ = "appeal"
    __table_args__ = (Index("ix_appeal_mahalla_status", "mahalla_code", "status"),)

    id: Mapped[pk_id]
    appeal_id: Mapped[record_key_str] = mapped_column(unique=True)
    person_id: Mapped[int | None] = _person_fk()
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    channel: Mapped[short_str]
    mahalla_code: Mapped[mahalla_code_str | None]
    applicant_name: Mapped[name_str | None]
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    topic: Mapped[short_str]
    addressed_to: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[short_str]
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
