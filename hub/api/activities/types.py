"""GraphQL types of the agency facts, each a Relay node keyed by its source record key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from hub.api.activities.data import (
    AppealRecord,
    BusinessRecord,
    EmploymentRecordRow,
    LeaseRecord,
    LoanRecord,
    NotebookRecord,
    ParcelRecord,
    TaxRecord,
)
from hub.api.context import Info
from hub.api.fields import described
from hub.api.identity.data import HOUSEHOLD_PLOT, BusinessSourceRecord
from hub.api.identity.types import BusinessSource
from hub.api.nodes import load_nodes, split_key
from hub.api.relations import now_or_later, optional
from hub.api.scalars import Soums, soums_from_tiyin
from hub.api.vocabulary import (
    OPEN_APPEAL_STATUSES,
    AppealChannel,
    AppealStatus,
    AppealTopic,
    EmploymentStatus,
    LandPurpose,
    LeaseStatus,
    LesseeKind,
    LoanKind,
    LoanProgramme,
    LoanStatus,
    Notebook,
    TaxRegime,
    enum_value,
)

if TYPE_CHECKING:
    from hub.api.people.types import HouseholdNode, PersonNode


def _person(info: Info, person_id: int | None) -> PersonNode | None:
    # Imported here: hub.api.people.types imports this module for the person's lists.
    from hub.api.people.types import PersonNode

    if person_id is None:
        return None
    return now_or_later(info.context.loaders.person, person_id, optional(PersonNode.of))


@strawberry.type(
    name="TaxRegistration",
    description="Self-employment or individual entrepreneurship (tax source), keyed by TIN.",
)
class TaxRegistrationNode(relay.Node):
    tin: str
    regime: TaxRegime
    activity_code: str | None
    registered_on: date
    closed_on: date | None
    is_open: bool = strawberry.field(description="Not closed.")
    declared_income: Soums | None
    tax_year: int | None
    mahalla_code: str | None
    address: str | None
    source_updated_at: datetime
    last_confirmed_at: datetime
    person_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: TaxRecord) -> TaxRegistrationNode:
        income = r.declared_income_tiyin
        return cls(
            tin=r.tin,
            regime=enum_value(TaxRegime, r.regime),
            activity_code=r.activity_code,
            registered_on=r.registered_on,
            closed_on=r.closed_on,
            is_open=r.closed_on is None,
            declared_income=None if income is None else soums_from_tiyin(income),
            tax_year=r.tax_year,
            mahalla_code=r.mahalla_code,
            address=r.address,
            source_updated_at=r.source_updated_at,
            last_confirmed_at=r.last_confirmed_at,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.tin

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[TaxRegistrationNode | None]:
        return await load_nodes(info.context.loaders.tax, list(node_ids), cls.of)

    @strawberry.field
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.types")] | None:
        return _person(info, self.person_id)


@strawberry.type(
    name="EmploymentRecord",
    description="A job seeker's or placement's status (employment source), by record number.",
)
class EmploymentRecordNode(relay.Node):
    record_no: str
    status: EmploymentStatus
    status_on: date
    employer_tin: str | None
    referral: str | None = strawberry.field(description="Training referral, free text.")
    mahalla_code: str | None
    source_file: str
    last_confirmed_at: datetime
    person_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: EmploymentRecordRow) -> EmploymentRecordNode:
        return cls(
            record_no=r.record_no,
            status=enum_value(EmploymentStatus, r.status),
            status_on=r.status_on,
            employer_tin=r.employer_tin,
            referral=r.referral,
            mahalla_code=r.mahalla_code,
            source_file=r.source_file,
            last_confirmed_at=r.last_confirmed_at,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.record_no

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[EmploymentRecordNode | None]:
        return await load_nodes(info.context.loaders.employment, list(node_ids), cls.of)

    @strawberry.field
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.types")] | None:
        return _person(info, self.person_id)


@strawberry.type(name="Parcel", description="A land parcel, keyed by its cadastre number.")
class ParcelNode(relay.Node):
    cadastre: str
    mahalla_code: str | None
    area_ha: float = strawberry.field(description="Area in hectares.")
    purpose: LandPurpose
    crop: str | None

    @classmethod
    def of(cls, r: ParcelRecord) -> ParcelNode:
        return cls(
            cadastre=r.cadastre,
            mahalla_code=r.mahalla_code,
            area_ha=float(r.area_ha),
            purpose=enum_value(LandPurpose, r.purpose),
            crop=r.crop,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.cadastre

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ParcelNode | None]:
        return await load_nodes(info.context.loaders.parcel_by_cadastre, list(node_ids), cls.of)


@strawberry.type(name="Business", description="A legal entity known by its TIN (a lessee).")
class BusinessNode(relay.Node):
    tin: str
    name: str | None
    mahalla_code: str | None

    @classmethod
    def of(cls, r: BusinessRecord) -> BusinessNode:
        return cls(tin=r.tin, name=r.name, mahalla_code=r.mahalla_code)

    @described(
        "The records naming this TIN: its tax registration, employment records naming it "
        "as employer, leases with it as lessee."
    )
    def sources(self, info: Info) -> list[BusinessSource]:
        loader = info.context.loaders.business_sources
        return now_or_later(loader, self.tin, _business_sources)

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.tin

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[BusinessNode | None]:
        return await load_nodes(info.context.loaders.business_by_tin, list(node_ids), cls.of)


def _parcel(record: ParcelRecord | None) -> ParcelNode:
    if record is None:
        raise LookupError("A land lease's parcel is missing from the graph.")
    return ParcelNode.of(record)


@strawberry.type(name="LandLease", description="A land lease (land source), by lease id.")
class LandLeaseNode(relay.Node):
    lease_id: str
    contract: str | None
    status: LeaseStatus
    is_current: bool = strawberry.field(description="In the newest cadastre snapshot.")
    lessee_kind: LesseeKind
    lessee_name: str | None
    start_on: date
    end_on: date | None
    snapshot_on: date
    last_confirmed_at: datetime
    parcel_id: strawberry.Private[int]
    person_id: strawberry.Private[int | None]
    business_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: LeaseRecord) -> LandLeaseNode:
        return cls(
            lease_id=r.lease_id,
            contract=r.contract,
            status=enum_value(LeaseStatus, r.status),
            is_current=r.is_current,
            lessee_kind=enum_value(LesseeKind, r.lessee_kind),
            lessee_name=r.lessee_name,
            start_on=r.start_on,
            end_on=r.end_on,
            snapshot_on=r.snapshot_on,
            last_confirmed_at=r.last_confirmed_at,
            parcel_id=r.parcel_id,
            person_id=r.person_id,
            business_id=r.business_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.lease_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LandLeaseNode | None]:
        return await load_nodes(info.context.loaders.lease, list(node_ids), cls.of)

    @strawberry.field
    def parcel(self, info: Info) -> ParcelNode:
        return now_or_later(info.context.loaders.parcel, self.parcel_id, _parcel)

    @described("The lessee when a person.")
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.types")] | None:
        return _person(info, self.person_id)

    @described(
        "For a household plot: the household of its lessee (null for other purposes, a "
        "legal-entity lessee, or a lessee no survey places in a household)."
    )
    async def household(
        self, info: Info
    ) -> Annotated[HouseholdNode, strawberry.lazy("hub.api.people.types")] | None:
        from hub.api.people.types import HouseholdNode

        if self.person_id is None:
            return None
        parcel = await info.context.loaders.parcel.load(self.parcel_id)
        if parcel is None or parcel.purpose != HOUSEHOLD_PLOT:
            return None
        person = await info.context.loaders.person.load(self.person_id)
        if person is None or person.household_id is None:
            return None
        household = await info.context.loaders.household.load(person.household_id)
        return None if household is None else HouseholdNode.of(household)

    @described("The lessee when a legal entity.")
    def business(self, info: Info) -> BusinessNode | None:
        if self.business_id is None:
            return None
        loader = info.context.loaders.business
        return now_or_later(loader, self.business_id, optional(BusinessNode.of))


def _business_sources(records: list[BusinessSourceRecord]) -> list[BusinessSource]:
    return [BusinessSource.of(r) for r in records]


@strawberry.type(name="Loan", description="A loan or subsidy (bank source), by loan id.")
class LoanNode(relay.Node):
    loan_id: str
    bank_mfo: str
    kind: LoanKind
    programme: LoanProgramme
    amount: Soums
    issued_on: date
    term_months: int | None
    status: LoanStatus
    purpose: str | None
    borrower_name: str | None
    mahalla_code: str | None
    last_confirmed_at: datetime
    person_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: LoanRecord) -> LoanNode:
        return cls(
            loan_id=r.loan_id,
            bank_mfo=r.bank_mfo,
            kind=enum_value(LoanKind, r.kind),
            programme=enum_value(LoanProgramme, r.program),
            amount=soums_from_tiyin(r.amount_tiyin),
            issued_on=r.issued_on,
            term_months=r.term_months,
            status=enum_value(LoanStatus, r.status),
            purpose=r.purpose,
            borrower_name=r.borrower_name,
            mahalla_code=r.mahalla_code,
            last_confirmed_at=r.last_confirmed_at,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.loan_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LoanNode | None]:
        return await load_nodes(info.context.loaders.loan, list(node_ids), cls.of)

    @strawberry.field
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.types")] | None:
        return _person(info, self.person_id)


@strawberry.type(
    name="NotebookEntry",
    description="A person's entry in a social notebook; id key: notebook:source:recordKey.",
)
class NotebookEntryNode(relay.Node):
    notebook: Notebook
    source: str
    record_key: str
    entered_on: date | None
    person_id: strawberry.Private[int]

    @classmethod
    def of(cls, r: NotebookRecord) -> NotebookEntryNode:
        return cls(
            notebook=enum_value(Notebook, r.notebook),
            source=r.source,
            record_key=r.record_key,
            entered_on=r.entered_on,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return f"{root.notebook.value}:{root.source}:{root.record_key}"

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[NotebookEntryNode | None]:
        keys = [split_key(node_id, 3, "NotebookEntry") for node_id in node_ids]
        return await load_nodes(info.context.loaders.notebook_entry, keys, cls.of)

    @strawberry.field
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.types")] | None:
        return _person(info, self.person_id)


@strawberry.type(name="Appeal", description="A citizen's appeal (appeals source), by appeal id.")
class AppealNode(relay.Node):
    appeal_id: str
    received_at: datetime
    channel: AppealChannel
    topic: AppealTopic
    addressed_to: str | None
    status: AppealStatus
    is_open: bool = strawberry.field(description="Received or in progress.")
    resolved_at: datetime | None
    mahalla_code: str | None
    applicant_name: str | None
    applicant_phone: str | None
    person_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, r: AppealRecord) -> AppealNode:
        return cls(
            appeal_id=r.appeal_id,
            received_at=r.received_at,
            channel=enum_value(AppealChannel, r.channel),
            topic=enum_value(AppealTopic, r.topic),
            addressed_to=r.addressed_to,
            status=enum_value(AppealStatus, r.status),
            is_open=r.status in OPEN_APPEAL_STATUSES,
            resolved_at=r.resolved_at,
            mahalla_code=r.mahalla_code,
            applicant_name=r.applicant_name,
            applicant_phone=r.applicant_phone,
            person_id=r.person_id,
        )

    @classmethod
    def resolve_id(cls, root: Self, *, info: Info) -> str:
        return root.appeal_id

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[AppealNode | None]:
        return await load_nodes(info.context.loaders.appeal, list(node_ids), cls.of)

    @described("The applicant, when linked (appeals may be anonymous).")
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.types")] | None:
        return _person(info, self.person_id)
