"""GraphQL types of the facts of support asked for and given: loans and subsidies (bank
source, by loan id), entries in the social notebooks and citizens' appeals (appeals source,
by appeal id), each a Relay node."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from hub.api.activities.data import AppealRecord, LoanRecord, NotebookRecord
from hub.api.activities.linked_person import linked_person
from hub.api.context import Info
from hub.api.fields import described
from hub.api.nodes import load_nodes, split_key
from hub.api.scalars import Soums, soums_from_tiyin
from hub.api.vocabulary import (
    OPEN_APPEAL_STATUSES,
    AppealChannel,
    AppealStatus,
    AppealTopic,
    LoanKind,
    LoanProgramme,
    LoanStatus,
    Notebook,
    enum_value,
)

if TYPE_CHECKING:
    from hub.api.people.person_types import PersonNode


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
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return linked_person(info, self.person_id)


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
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return linked_person(info, self.person_id)


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
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return linked_person(info, self.person_id)
