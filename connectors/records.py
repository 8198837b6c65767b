"""Typed records, one frozen class per record kind of contracts/SOURCES.md.

Contract of every record class:

- values are parsed Python types: `date`, timezone-aware `datetime`, `int`, `Decimal`,
  enums from `connectors.vocabulary`, `tuple` for lists, `str | None` where the contract
  allows a missing value (empty strings arrive as `None`);
- identifiers (PINFL, TIN, mahalla codes, passports) are kept exactly as delivered (stripped);
  whether a PINFL is valid is decided later, in staging, never here;
- money: `*_tiyin` fields are integers in tiyin (1 soum = 100 tiyin); `*_uzs` fields are
  integer soums where the contract delivers integer soums;
- `record_key` is the contract's record key and `origin` says where the record came from;
  within one delivery records are yielded in delivery order, so "later wins" is stream order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from connectors.record_init import fast_frozen_init
from connectors.vocabulary import (
    AppealChannel,
    AppealStatus,
    AppealTopic,
    EmploymentStatus,
    LandPurpose,
    LeaseStatus,
    LesseeKind,
    LoanKind,
    LoanProgram,
    LoanStatus,
    Need,
    Notebook,
    Occupation,
    Relation,
    Sex,
    TaxRegime,
)


@fast_frozen_init
@dataclass(frozen=True, slots=True, order=True)
class Origin:
    """Where a record was read: the delivery (file name or API request) and its position.

    `position` is the 1-based line of a text file, the ordinal of a `<Lease>` in an XML
    file, or the ordinal of an item across all pages of an API delivery; `page` names the
    API page (`offset=500` or `page 3`) and is None for files.
    """

    delivery: str
    position: int
    page: str | None = None

    def __str__(self) -> str:
        if self.page is not None:
            return f"{self.delivery} {self.page} item {self.position}"
        return f"{self.delivery}:{self.position}"


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class MahallaRecord:
    source: ClassVar[str] = "registry"
    region_soato: str
    region_name: str
    district_soato: str
    district_name: str
    mahalla_code: str
    mahalla_name: str
    mahalla_stir: str
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.mahalla_code


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class AssistantRecord:
    source: ClassVar[str] = "registry"
    assistant_id: str
    full_name: str
    phone: str | None
    mahalla_code: str
    appointed_on: date
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.assistant_id


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class SurveyMember:
    """One person of a surveyed household; its key is `"{survey_id}/{member_no}"`."""

    survey_id: str
    member_no: int
    full_name: str
    pinfl: str | None
    birth_date: date | None
    sex: Sex
    relation: Relation
    occupation: Occupation
    notebook: Notebook | None

    @property
    def record_key(self) -> str:
        return f"{self.survey_id}/{self.member_no}"


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class SurveyHousehold:
    source: ClassVar[str] = "survey"
    survey_id: str
    mahalla_code: str
    assistant_id: str
    surveyed_on: date
    street: str | None
    house: str | None
    apartment: str | None
    category: int | None
    monthly_income_uzs: int | None
    plot_sotix: Decimal | None
    needs: tuple[Need, ...]
    members: tuple[SurveyMember, ...]
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.survey_id


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TaxpayerRecord:
    source: ClassVar[str] = "tax"
    tin: str
    pinfl: str | None
    full_name: str
    birth_date: date | None
    regime: TaxRegime
    activity_code: str | None
    registered_on: date
    closed_on: date | None
    declared_income_tiyin: int
    tax_year: int
    mahalla_code: str | None
    address: str | None
    updated_at: datetime
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.tin


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class EmploymentRecord:
    source: ClassVar[str] = "employment"
    record_no: str
    pinfl: str | None
    full_name: str
    birth_date: date | None
    sex: Sex
    mahalla_code: str | None
    status: EmploymentStatus
    status_on: date
    employer_tin: str | None
    referral: str | None
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.record_no


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class LeaseRecord:
    source: ClassVar[str] = "land"
    lease_id: str
    contract_no: str | None
    status: LeaseStatus
    cadastre_no: str | None
    mahalla_code: str | None
    area_ha: Decimal
    purpose: LandPurpose
    crop: str | None
    lessee_kind: LesseeKind
    lessee_pinfl: str | None
    lessee_tin: str | None
    lessee_name: str | None
    starts_on: date
    ends_on: date | None
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.lease_id


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class LoanRecord:
    source: ClassVar[str] = "bank"
    loan_id: str
    bank_mfo: str
    kind: LoanKind
    program: LoanProgram
    borrower_pinfl: str | None
    borrower_name: str | None
    borrower_birth_date: date | None
    borrower_passport: str | None
    amount_tiyin: int
    issued_on: date
    term_months: int | None
    status: LoanStatus
    purpose: str | None
    mahalla_code: str | None
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.loan_id


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class AppealRecord:
    source: ClassVar[str] = "appeals"
    appeal_id: str
    received_at: datetime
    channel: AppealChannel
    mahalla_code: str | None
    applicant_pinfl: str | None
    applicant_full_name: str | None
    applicant_phone: str | None
    topic: AppealTopic
    addressed_to: str | None
    status: AppealStatus
    resolved_at: datetime | None
    origin: Origin

    @property
    def record_key(self) -> str:
        return self.appeal_id


Record = (
    MahallaRecord
    | AssistantRecord
    | SurveyHousehold
    | TaxpayerRecord
    | EmploymentRecord
    | LeaseRecord
    | LoanRecord
    | AppealRecord
)
"""Any record a connector yields (survey members travel inside their household)."""
