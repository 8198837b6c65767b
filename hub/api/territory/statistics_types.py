"""GraphQL types of a territory's statistics (a mahalla's, or the sum over a district's or
region's mahallas)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry

from hub.api.scalars import Soums, soums_from_tiyin
from hub.api.territory.statistics_data import (
    StatisticsRecord,
)
from hub.api.vocabulary import AppealTopic, LoanProgramme, Notebook, enum_value


@strawberry.type(description="Households per category (1 well-off … 4 needs state support).")
class HouseholdCategoryCounts:
    category1: int | None
    category2: int | None
    category3: int | None
    category4: int | None
    unknown: int | None = strawberry.field(description="Households without this category.")
    # "assessed" or "computed", and the counts withheld from the public because of the
    # territory's siblings (`hub.api.access.siblings`).
    group: strawberry.Private[str] = ""
    withheld: strawberry.Private[frozenset[str]] = frozenset()

    @classmethod
    def of(
        cls, counts: Mapping[str, int], group: str = "", withheld: frozenset[str] = frozenset()
    ) -> HouseholdCategoryCounts:
        return cls(
            category1=counts.get("1", 0),
            category2=counts.get("2", 0),
            category3=counts.get("3", 0),
            category4=counts.get("4", 0),
            unknown=counts.get("unknown", 0),
            group=group,
            withheld=withheld,
        )


@strawberry.type(
    description=(
        "People by their current employment situation. employed/unemployed/publicWorks/"
        "inTraining: the status of the person's latest employment-agency record, else the "
        "survey occupation. selfEmployed/entrepreneurs: open tax registrations by regime."
    )
)
class EmploymentStatistics:
    employed: int | None
    unemployed: int | None
    self_employed: int | None
    entrepreneurs: int | None
    public_works: int | None
    in_training: int | None
    withheld: strawberry.Private[frozenset[str]] = frozenset()


@strawberry.type(description="Current active land leases on parcels in the territory.")
class LandStatistics:
    active_leases: int | None
    leased_area_ha: float | None = strawberry.field(description="Leased area in hectares.")
    withheld: strawberry.Private[frozenset[str]] = frozenset()


@strawberry.type(description="Loans and subsidies issued under one programme.")
class ProgrammeFinancing:
    programme: LoanProgramme
    count: int | None
    amount: Soums | None
    key: strawberry.Private[str] = ""
    withheld: strawberry.Private[frozenset[str]] = frozenset()


@strawberry.type
class NotebookCount:
    notebook: Notebook
    persons: int | None
    key: strawberry.Private[str] = ""
    withheld: strawberry.Private[frozenset[str]] = frozenset()


@strawberry.type
class TopicCount:
    topic: AppealTopic
    appeals: int | None
    # Every topic's count: the parts of the total, which the public's suppression of one
    # small count weighs together (`hub.api.access.suppression`).
    counts: strawberry.Private[Mapping[str, int]]
    key: strawberry.Private[str]
    withheld: strawberry.Private[frozenset[str]] = frozenset()


def _topics(self: AppealStatistics) -> list[TopicCount]:
    return [
        TopicCount(
            topic=enum_value(AppealTopic, t),
            appeals=c,
            counts=self.counts,
            key=t,
            withheld=self.withheld,
        )
        for t, c in sorted(self.counts.items())
    ]


@strawberry.type(description="Citizens' appeals; open = received or in progress.")
class AppealStatistics:
    total: int | None
    open: int | None
    by_topic: list[TopicCount] = strawberry.field(resolver=_topics)
    counts: strawberry.Private[Mapping[str, int]]
    withheld: strawberry.Private[frozenset[str]] = frozenset()


# The nested parts of the statistics are built when a query selects them: a district's
# list of mahallas asks for a few numbers of each, not for every breakdown.


def _assessed(self: Statistics) -> HouseholdCategoryCounts:
    return HouseholdCategoryCounts.of(
        self.record.households_by_assessed_category, "assessed", self.withheld
    )


def _computed(self: Statistics) -> HouseholdCategoryCounts:
    return HouseholdCategoryCounts.of(
        self.record.households_by_computed_category, "computed", self.withheld
    )


def _employment(self: Statistics) -> EmploymentStatistics:
    r = self.record
    return EmploymentStatistics(
        employed=r.employed,
        unemployed=r.unemployed,
        self_employed=r.self_employed,
        entrepreneurs=r.entrepreneurs,
        public_works=r.public_works,
        in_training=r.in_training,
        withheld=self.withheld,
    )


def _land(self: Statistics) -> LandStatistics:
    return LandStatistics(
        active_leases=self.record.active_leases,
        leased_area_ha=self.record.leased_area_ha,
        withheld=self.withheld,
    )


def _programmes(self: Statistics) -> list[ProgrammeFinancing]:
    return [
        ProgrammeFinancing(
            programme=enum_value(LoanProgramme, p),
            count=t.count,
            amount=soums_from_tiyin(t.amount_tiyin),
            key=p,
            withheld=self.withheld,
        )
        for p, t in sorted(self.record.loans_by_program.items())
    ]


def _notebooks(self: Statistics) -> list[NotebookCount]:
    return [
        NotebookCount(notebook=enum_value(Notebook, n), persons=c, key=n, withheld=self.withheld)
        for n, c in sorted(self.record.notebook_entries.items())
    ]


def _appeals(self: Statistics) -> AppealStatistics:
    r = self.record
    return AppealStatistics(
        total=r.appeals_total,
        open=r.appeals_open,
        counts=r.appeals_by_topic,
        withheld=self.withheld,
    )


@strawberry.type(
    description=(
        "Indicators of a mahalla, or the sums over the mahallas of a district or region, "
        "as computed after the latest load."
    )
)
class Statistics:
    mahalla_count: int = strawberry.field(description="Mahallas whose indicators are summed.")
    population: int | None
    households: int | None
    households_by_assessed_category: HouseholdCategoryCounts = strawberry.field(resolver=_assessed)
    households_by_computed_category: HouseholdCategoryCounts = strawberry.field(resolver=_computed)
    category_mismatches: int | None = strawberry.field(
        description="Households whose assessed and computed categories are both set and differ."
    )
    employment: EmploymentStatistics = strawberry.field(resolver=_employment)
    land: LandStatistics = strawberry.field(resolver=_land)
    loans_by_programme: list[ProgrammeFinancing] = strawberry.field(resolver=_programmes)
    notebook_entries: list[NotebookCount] = strawberry.field(resolver=_notebooks)
    appeals: AppealStatistics = strawberry.field(resolver=_appeals)
    computed_at: datetime | None = strawberry.field(
        description="When the oldest of the summed indicators was computed."
    )
    record: strawberry.Private[StatisticsRecord]
    # Counts withheld from the public because of the territory's siblings
    # (`hub.api.access.siblings`); empty for every other caller.
    withheld: strawberry.Private[frozenset[str]] = frozenset()

    @classmethod
    def of(cls, r: StatisticsRecord) -> Statistics:
        return cls(
            mahalla_count=r.mahallas,
            population=r.population,
            households=r.households,
            category_mismatches=r.category_mismatches,
            computed_at=r.computed_at,
            record=r,
        )
