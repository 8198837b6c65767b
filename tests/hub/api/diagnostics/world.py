"""The diagnostics tables of a small world, written by hand, for the API's tests.

Territory: region 1703; district 1703202 with mahallas 1703202001 and 1703202002; district
1703203 with mahalla 1703203001. Households H-a, H-b in 1703202001, H-c in 1703203001;
people Aziz (H-a), Dilnoza (H-b), Kamol (H-c).

The figures are chosen so that each rule shows: in district 1703202 in 2022-03 `placed` is 3
(small), `households.assessed.4` is 4 (small, and the next smallest part, `.3` = 11, goes
with it), `land.leases` 2 (small) with `land.hectares` following it; February's `placed`
was revised from 12 to 14 by late employment records.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from hub.graph.models import (
    AssistantRating,
    BodyRating,
    Household,
    HouseholdCategoryEvidence,
    MonthlyIndicator,
    MonthlyIndicatorRevision,
    NotebookFinding,
)
from tests.hub.diagnostics.small_world import SmallWorld

AT = datetime(2022, 4, 2, 6, 0, tzinfo=UTC)
JAN, FEB, MAR = date(2022, 1, 1), date(2022, 2, 1), date(2022, 3, 1)
Q1 = date(2022, 1, 1)
MAHALLA, NEIGHBOUR, OTHER = "1703202001", "1703202002", "1703203001"

# District 1703202, per month: figure -> value.
DISTRICT_FIGURES = {
    JAN: {"households": 38.0, "placed": 10.0, "appeals.received": 20.0},
    FEB: {"households": 39.0, "placed": 14.0, "appeals.received": 22.0},
    MAR: {
        "households": 40.0,
        "households.assessed.1": 12.0,
        "households.assessed.2": 13.0,
        "households.assessed.3": 11.0,
        "households.assessed.4": 4.0,
        "placed": 3.0,
        "land.leases": 2.0,
        "land.hectares": 0.35,
        "appeals.received": 25.0,
        "appeals.resolved": 20.0,
        "appeals.resolution_rate": 0.8,
    },
}
MAHALLA_FIGURES = {
    JAN: {"households": 2.0, "placed": 1.0},
    FEB: {"households": 2.0, "placed": 0.0},
    MAR: {"households": 2.0, "placed": 2.0},
}


def _figures(level: str, code: str, months: dict[date, dict[str, float]]) -> list[dict[str, Any]]:
    return [
        {"level": level, "code": code, "month_on": m, "name": n, "value": v, "computed_at": AT}
        for m, figures in months.items()
        for n, v in figures.items()
    ]


def _evidence(household_id: int, mahalla: str, assessed: int, computed: int) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "mahalla_code": mahalla,
        "as_of_on": MAR,
        "rules_version": "2022.1",
        "assessed_category": assessed,
        "computed_category": computed,
        "income_category": computed,
        "rule": "low_income_able" if computed == 3 else "poverty_line",
        "members": 4,
        "able_adults": 2,
        "stated_income_uzs": 2_000_000,
        "declared_income_uzs": 0,
        "wage_income_uzs": 1_500_000,
        "subsidy_income_uzs": 300_000,
        "land_income_uzs": 0,
        "income_uzs": 2_000_000,
        "income_basis": "survey",
        "per_capita_uzs": 500_000,
        "mce_uzs": 568_000,
        "explanation": f"per capita 500000 below the MCE 568000 ({computed})",
        "records": ["employment:E-1", "bank:L-1"],
        "computed_at": AT,
    }


def _finding(
    world: SmallWorld, person: str, notebook: str, finding: str, reason: str, household: str
) -> dict[str, Any]:
    return {
        "person_id": world.persons[person],
        "notebook": notebook,
        "mahalla_code": world.session.get_one(Household, world.households[household]).mahalla_code,
        "household_id": world.households[household],
        "finding": finding,
        "reason": reason,
        "records": [f"survey:SV-{household}"],
        "as_of_on": MAR,
        "rules_version": "2022.1",
        "computed_at": AT,
    }


def _rating(
    mahalla: str, district: str, score: float, ranks: tuple[int, int, int]
) -> dict[str, Any]:
    return {
        "quarter_on": Q1,
        "mahalla_code": mahalla,
        "assistant_id": None,
        "district_code": district,
        "region_code": "1703",
        "score": score,
        "components": {
            "placed": {"value": score, "per_households": score / 2, "weight": 2.0, "points": score},
        },
        "rank_in_district": ranks[0],
        "rank_in_region": ranks[1],
        "rank_in_country": ranks[2],
        "rules_version": "2022.1",
        "computed_at": AT,
    }


def _body(body: str, received: int, resolved: int, rank: int | None) -> dict[str, Any]:
    return {
        "quarter_on": Q1,
        "body": body,
        "received": received,
        "resolved": resolved,
        "resolution_rate": resolved / received,
        "median_days": 4.0,
        "p90_days": 9.0,
        "overdue_open": received - resolved,
        "rank": rank,
        "rules_version": "2022.1",
        "computed_at": AT,
    }


def build_world(session: Session) -> SmallWorld:
    world = SmallWorld(session)
    world.territory(MAHALLA, NEIGHBOUR, district="1703202")
    world.territory(OTHER, district="1703203")
    world.household("a", MAHALLA, 2, 2_000_000)
    world.household("b", MAHALLA, 3, 2_000_000)
    world.household("c", OTHER, 1, 2_000_000)
    world.person("Aziz", "a", date(2004, 5, 1), "M", "unemployed")
    world.person("Dilnoza", "b", date(1990, 1, 1), "F", "employed")
    world.person("Kamol", "c", date(1980, 1, 1), "M", "unemployed")
    figures = [
        *_figures("district", "1703202", DISTRICT_FIGURES),
        *_figures("mahalla", MAHALLA, MAHALLA_FIGURES),
        *_figures("mahalla", OTHER, {MAR: {"households": 1.0, "placed": 1.0}}),
        *_figures("region", "1703", {MAR: {"households": 41.0, "placed": 4.0}}),
        *_figures("country", "UZ", {FEB: {"households": 41.0}, MAR: {"households": 41.0}}),
    ]
    session.execute(insert(MonthlyIndicator), figures)
    revision = {
        "level": "district",
        "code": "1703202",
        "month_on": FEB,
        "name": "placed",
        "old_value": 12.0,
        "new_value": 14.0,
        "reason": "late records dated 2022-02 from employment",
        "revised_at": AT,
    }
    session.execute(insert(MonthlyIndicatorRevision), [revision])
    h = world.households
    session.execute(
        insert(HouseholdCategoryEvidence),
        [
            _evidence(h["a"], MAHALLA, 2, 3),
            _evidence(h["b"], MAHALLA, 3, 3),
            _evidence(h["c"], OTHER, 1, 4),
        ],
    )
    session.execute(
        insert(NotebookFinding),
        [
            _finding(world, "Aziz", "youth", "eligible_not_entered", "aged 17, unemployed", "a"),
            _finding(
                world, "Dilnoza", "women", "entered_not_eligible", "employed since 2022-02", "b"
            ),
            _finding(world, "Kamol", "iron", "eligible_not_entered", "category 4", "c"),
        ],
    )
    session.execute(
        insert(AssistantRating),
        [
            _rating(MAHALLA, "1703202", 4.0, (2, 2, 2)),
            _rating(NEIGHBOUR, "1703202", 6.0, (1, 1, 1)),
            _rating(OTHER, "1703203", 1.0, (1, 3, 3)),
        ],
    )
    session.execute(
        insert(BodyRating),
        [
            _body("khokimiyat", 40, 30, 1),
            _body("gas", 5, 2, 2),
            _body("(no addressee)", 12, 6, None),
        ],
    )
    return world
