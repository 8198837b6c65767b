"""GraphQL types of a territory's statistics (a mahalla's, or the sum over a district's or
region's mahallas)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry

from hub.api.scalars import Soums, soums_from_tiyin
from hub.api.territory.statistics_data import StatisticsRecord
from hub.api.vocabulary import AppealTopic, LoanProgramme, Notebook, enum_value


@strawberry.type(description="Households per category (1 well-off … 4 needs state support).")
class HouseholdCategoryCounts:
    category1: int
    category2: int
    category3: int
    category4: int
    unknown: int = strawberry.field(description="Households without this category.")

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> HouseholdCategoryCounts:
        return cls(
            category1=counts.get("1", 0),
            category2=counts.get("2", 0),
            category3=counts.get("3", 0),
            category4=counts.get("4", 0),
            unknown=counts.get("unknown", 0),
        )


@strawberry.type(
    description=(
        "People by their current employment situation. employed/unemployed/publicWorks/"
        "inTraining: the status of the person's latest employment-agency record, else the "
        "survey occupation. selfEmployed/entrepreneurs: open tax registrations by regime."
    )
)
class EmploymentStatistics:
    employed: int
    unemployed: int
    self_employed: int
    entrepreneurs: int
    public_works: int
    in_training: int


@strawberry.type(description="Current active land leases on parcels in the territory.")
class LandStatistics:
    active_leases: int
    leased_area_ha: float = strawberry.field(description="Leased area in hectares.")


@strawberry.type(description="Loans and subsidies issued under one programme.")
class ProgrammeFinancing:
    programme: LoanProgramme
    count: int
    amount: Soums


@strawberry.type
class NotebookCount:
    notebook: Notebook
    persons: int


@strawberry.type
class TopicCount:
    topic: AppealTopic
    appeals: int


@strawberry.type(description="Citizens' appeals; open = received or in progress.")
class AppealStatistics:
    total: int
    open: int
    by_topic: list[TopicCount]


@strawberry.type(
    description=(
        "Indicators of a mahalla, or the sums over the mahallas of a district or region, "
        "as computed after the latest load."
    )
)
class Statistics:
    mahalla_count: int = strawberry.field(description="Mahallas whose indicators are summed.")
    population: int
    households: int
    households_by_assessed_category: HouseholdCategoryCounts
    households_by_computed_category: HouseholdCategoryCounts
    category_mismatches: int = strawberry.field(
        description="Households whose assessed and computed categories are both set and differ."
    )
    employment: EmploymentStatistics
    land: LandStatistics
    loans_by_programme: list[ProgrammeFinancing]
    notebook_entries: list[NotebookCount]
    appeals: AppealStatistics
    computed_at: datetime | None = strawberry.field(
        description="When the oldest of the summed indicators was computed."
    )

    @classmethod
    def of(cls, r: StatisticsRecord) -> Statistics:
        return cls(
            mahalla_count=r.mahallas,
            population=r.population,
            households=r.households,
            households_by_assessed_category=HouseholdCategoryCounts.of(
                r.households_by_assessed_category
            ),
            households_by_computed_category=HouseholdCategoryCounts.of(
                r.households_by_computed_category
            ),
            category_mismatches=r.category_mismatches,
            employment=EmploymentStatistics(
                employed=r.employed,
                unemployed=r.unemployed,
                self_employed=r.self_employed,
                entrepreneurs=r.entrepreneurs,
                public_works=r.public_works,
                in_training=r.in_training,
            ),
            land=LandStatistics(active_leases=r.active_leases, leased_area_ha=r.leased_area_ha),
            loans_by_programme=[
                ProgrammeFinancing(
                    programme=enum_value(LoanProgramme, p),
                    count=t.count,
                    amount=soums_from_tiyin(t.amount_tiyin),
                )
                for p, t in sorted(r.loans_by_program.items())
            ],
            notebook_entries=[
                NotebookCount(notebook=enum_value(Notebook, n), persons=c)
                for n, c in sorted(r.notebook_entries.items())
            ],
            appeals=AppealStatistics(
                total=r.appeals_total,
                open=r.appeals_open,
                by_topic=[
                    TopicCount(topic=enum_value(AppealTopic, t), appeals=c)
                    for t, c in sorted(r.appeals_by_topic.items())
                ],
            ),
            computed_at=r.computed_at,
        )
