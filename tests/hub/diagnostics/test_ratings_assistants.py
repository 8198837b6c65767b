"""The quarterly rating of assistants from published monthly figures, worked by hand.

Shipped weights: placed 1, self-employment 1, loans and subsidies 1, households up 2,
notebook gaps closed 1, appeals resolved 0.5; each component per 100 households.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from hub.diagnostics.ratings_assistants import refresh_assistant_ratings
from hub.diagnostics.rules import load_rules
from hub.graph.bulk import upsert_rows
from hub.graph.models import (
    Assistant,
    AssistantRating,
    HouseholdCategoryChange,
    MonthlyIndicator,
    NotebookGapClosed,
)
from tests.hub.diagnostics.small_world import SmallWorld

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1, M2, M3 = "1703202001", "1703202002", "1703203001"
JAN, FEB, MAR, APR = (date(2022, m, 1) for m in (1, 2, 3, 4))
Q1, Q2 = JAN, APR
FIGURES = {
    M1: {
        "households": {JAN: 10, FEB: 10, MAR: 10, APR: 10},
        "placed": {JAN: 1, FEB: 2},
        "self_employed": {FEB: 1},
        "entrepreneurs": {MAR: 1},
        "loans.count": {MAR: 2},
        "appeals.resolved": {JAN: 1},
    },
    M2: {"households": {JAN: 20, FEB: 20, MAR: 20, APR: 20}, "placed": {FEB: 1}},
    M3: {"households": {JAN: 0, FEB: 0, MAR: 0, APR: 0}, "placed": {JAN: 1}},  # no survey yet
}
# (household, mahalla, from, to, as of): in Q2 household 1 moves up 3 -> 2, household 2
# moves 4 -> 3 and back (no net move), household 3 moves down; in Q1 household 4 (M2)
# moves up 4 -> 2.
CHANGES = [
    (1, M1, 3, 2, date(2022, 4, 10)),
    (2, M1, 4, 3, date(2022, 4, 10)),
    (2, M1, 3, 4, date(2022, 5, 10)),
    (3, M1, 2, 3, date(2022, 4, 10)),
    (4, M2, 4, 2, date(2022, 2, 15)),
]
# (person, mahalla, as of): two gaps closed in M1 in Q1, one in M2 in Q2.
CLOSED = [(11, M1, date(2022, 2, 1)), (12, M1, date(2022, 3, 1)), (13, M2, date(2022, 4, 20))]


def test_assistants_are_scored_and_ranked_from_the_quarters_figures(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        w = SmallWorld(session)
        w.territory(M1, M2)
        w.territory(M3, district="1703203")
        assistant = {"id": "A-1", "full_name": "A", "mahalla_code": M1,
                     "appointed_on": JAN, "is_current": True}  # fmt: skip
        upsert_rows(session, Assistant, [assistant], key=["id"])
        rows = [
            {"level": "mahalla", "code": code, "month_on": month, "name": name,
             "value": float(value), "computed_at": datetime(2022, 5, 1, tzinfo=UTC)}
            for code, names in FIGURES.items()
            for name, months in names.items()
            for month, value in months.items()
        ]  # fmt: skip
        upsert_rows(session, MonthlyIndicator, rows, key=["level", "code", "month_on", "name"])
        session.add_all(
            HouseholdCategoryChange(household_id=h, mahalla_code=m, from_category=a,
                                    to_category=b, as_of_on=on)
            for h, m, a, b, on in CHANGES
        )  # fmt: skip
        session.add_all(
            NotebookGapClosed(person_id=p, mahalla_code=m, notebook="iron",
                              finding="eligible_not_entered", as_of_on=on)
            for p, m, on in CLOSED
        )  # fmt: skip
        session.flush()
        refresh_assistant_ratings(session, load_rules())
    with graph_db.session() as session:
        got = {(r.quarter_on, r.mahalla_code): r for r in session.scalars(select(AssistantRating))}
    ranks = {
        key: (round(r.score, 9), r.rank_in_district, r.rank_in_region, r.rank_in_country)
        for key, r in got.items()
    }
    # M1 Q1: 3 placed, 2 self-employed, 2 loans, 2 gaps closed, 1 appeal per 10 households,
    # x10 per 100: 30 + 20 + 20 + 20 + 0.5 x 10 = 95. M2: 1 placed and 1 household up per
    # 20 households: 5 + 2 x 5 = 15. M3: no households: 0.
    # Q2: M1: one household up (household 1; household 2 ends where it began, household 3
    # moved down) per 10, 10 per 100, x2 = 20; M2: 1 gap closed per 20 = 5; M3: 0.
    assert ranks == {
        (Q1, M1): (95.0, 1, 1, 1),
        (Q1, M2): (15.0, 2, 2, 2),
        (Q1, M3): (0.0, 1, 3, 3),
        (Q2, M1): (20.0, 1, 1, 1),
        (Q2, M2): (5.0, 2, 2, 2),
        (Q2, M3): (0.0, 1, 3, 3),
    }
    assert got[(Q1, M1)].assistant_id == "A-1" and got[(Q1, M2)].assistant_id is None
    components = got[(Q1, M1)].components
    assert components["appeals_resolved"] == {
        "value": 1.0, "per_households": 10.0, "weight": 0.5, "points": 5.0
    }  # fmt: skip
    assert components["households_up"]["value"] == 0.0
    assert components["notebook_gaps_closed"] == {
        "value": 2.0, "per_households": 20.0, "weight": 1.0, "points": 20.0
    }  # fmt: skip
    assert got[(Q2, M1)].components["households_up"]["value"] == 1.0
    assert got[(Q1, M2)].components["households_up"]["value"] == 1.0


def test_no_monthly_figures_means_no_ratings(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        assert refresh_assistant_ratings(session, load_rules()).is_empty()
