"""GraphQL types of a mahalla's diagnoses for its assistant and the agencies: households
whose assessed category disagrees with the one computed from the evidence, and people a
notebook should list and does not, or lists and should not."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry

from hub.api.context import Info
from hub.api.diagnostics.lists_data import DisagreementRecord, FindingRecord
from hub.api.fields import described
from hub.api.relations import ToOne
from hub.api.scalars import Soums
from hub.api.vocabulary import Notebook, enum_value

if TYPE_CHECKING:
    from hub.api.people.household_types import HouseholdNode
    from hub.api.people.person_types import PersonNode


def _household_node(record: Any) -> Any:
    from hub.api.people.household_types import HouseholdNode

    return None if record is None else HouseholdNode.of(record)


def _person_node(record: Any) -> Any:
    from hub.api.people.person_types import PersonNode

    return None if record is None else PersonNode.of(record)


_HOUSEHOLD = ToOne("household", "household_id", _household_node, shared=True)
_PERSON = ToOne("person", "person_id", _person_node, shared=True)


def _soums(value: int | None) -> Soums | None:
    return None if value is None else Soums(value)


@strawberry.type(
    description="A household whose assessed category (the assistant's survey) differs from "
    "the one computed from the integrated evidence, with the rule and records that decided."
)
class CategoryDisagreement:
    household_id: strawberry.Private[int]
    assessed_category: int
    computed_category: int
    income_category: int | None = strawberry.field(
        description="The category by income and able-bodied adults alone."
    )
    rule: str = strawberry.field(
        description="The rule that decided the computed category: well_off, poverty_line, "
        "low_income_able, low_income_no_able_adult, iron_notebook, no_income_evidence."
    )
    explanation: str
    records: list[str] = strawberry.field(
        description="The evidence's records, as 'source:record key'."
    )
    members: int
    able_adults: int
    stated_income: Soums | None = strawberry.field(description="Monthly, as the survey states.")
    declared_income: Soums
    wage_income: Soums
    subsidy_income: Soums
    land_income: Soums
    income: Soums | None = strawberry.field(
        description="The larger of the survey's figure and the agencies' sum (see incomeBasis)."
    )
    income_basis: str | None
    per_capita_income: Soums | None
    minimum_consumption: Soums = strawberry.field(
        description="The minimum consumption expenditure per person the rules used."
    )
    as_of: date
    rules_version: str

    @classmethod
    def of(cls, r: DisagreementRecord) -> CategoryDisagreement:
        return cls(
            household_id=r.household_id,
            assessed_category=r.assessed_category,
            computed_category=r.computed_category,
            income_category=r.income_category,
            rule=r.rule,
            explanation=r.explanation,
            records=list(r.records),
            members=r.members,
            able_adults=r.able_adults,
            stated_income=_soums(r.stated_income_uzs),
            declared_income=Soums(r.declared_income_uzs),
            wage_income=Soums(r.wage_income_uzs),
            subsidy_income=Soums(r.subsidy_income_uzs),
            land_income=Soums(r.land_income_uzs),
            income=_soums(r.income_uzs),
            income_basis=r.income_basis,
            per_capita_income=_soums(r.per_capita_uzs),
            minimum_consumption=Soums(r.mce_uzs),
            as_of=r.as_of_on,
            rules_version=r.rules_version,
        )

    @strawberry.field
    def household(
        self, info: Info
    ) -> Annotated[HouseholdNode, strawberry.lazy("hub.api.people.household_types")] | None:
        return cast("HouseholdNode | None", _HOUSEHOLD.resolve(self, info))


@strawberry.enum(description="What a notebook finding says.")
class NotebookFindingKind(Enum):
    ELIGIBLE_NOT_ENTERED = "eligible_not_entered"
    ENTERED_NOT_ELIGIBLE = "entered_not_eligible"


@strawberry.type(
    description="A person eligible for a notebook and not entered in it, or entered and no "
    "longer eligible, with the reason."
)
class NotebookFinding:
    person_id: strawberry.Private[int]
    household_id: strawberry.Private[int | None]
    notebook: Notebook
    kind: NotebookFindingKind
    # Nullable: masked (null) for a key without `personal`, beside its siblings.
    reason: str | None
    records: list[str] | None = strawberry.field(
        description="The records behind it, as 'source:key'."
    )
    as_of: date

    @classmethod
    def of(cls, r: FindingRecord) -> NotebookFinding:
        return cls(
            person_id=r.person_id,
            household_id=r.household_id,
            notebook=enum_value(Notebook, r.notebook),
            kind=enum_value(NotebookFindingKind, r.finding),
            reason=r.reason,
            records=list(r.records),
            as_of=r.as_of_on,
        )

    @described("The person the finding is about.")
    def person(
        self, info: Info
    ) -> Annotated[PersonNode, strawberry.lazy("hub.api.people.person_types")] | None:
        return cast("PersonNode | None", _PERSON.resolve(self, info))

    @described("The person's household, if any.")
    def household(
        self, info: Info
    ) -> Annotated[HouseholdNode, strawberry.lazy("hub.api.people.household_types")] | None:
        return cast("HouseholdNode | None", _HOUSEHOLD.resolve(self, info))
