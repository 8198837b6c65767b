"""Household categories from integrated evidence, checked against figures worked by hand.

As of 2022-12-01 with the shipped 2022 rules: MCE 498,000; well-off from 1.5 x MCE =
747,000 per person; a placed member's wage 920,000; land 1,500,000 per hectare; a subsidy
spread over 12 months; able-bodied 18..60 and neither disabled nor a pensioner.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.diagnostics.categories import compute_categories, refresh_household_categories
from hub.diagnostics.evidence import Scope, evidence_as_of
from hub.diagnostics.findings import list_category_disagreements
from hub.diagnostics.rules import MissingRuleYearError, load_rules
from hub.graph.models import Household, HouseholdCategoryChange, HouseholdCategoryEvidence
from tests.hub.diagnostics.small_world import SmallWorld

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1, M2 = "1703202001", "1703202002"
AS_OF = date(2022, 12, 1)


def build(session: Session) -> SmallWorld:
    w = SmallWorld(session)
    w.territory(M1, M2)  # M2: no survey yet
    # h1: survey 2,400,000 beats the agencies' 920,000 (a placed in June): 1,200,000 each.
    w.household("h1", M1, assessed=3, income_uzs=2_400_000)
    w.person("a", "h1", date(1985, 3, 15), "M", "unemployed")
    w.person("b", "h1", date(1988, 1, 1), "F", "homemaker")
    w.status("E1", "a", "unemployed", date(2022, 2, 1))
    w.status("E2", "a", "employed", date(2022, 6, 1))
    w.status("E9", "a", "unemployed", date(2023, 1, 5))  # after the as-of day: not yet known
    # h2: pensioner and disabled, 600,000 stated; a subsidy of 1,200,000 (100,000 a month).
    w.household("h2", M1, assessed=4, income_uzs=600_000)
    w.person("c", "h2", date(1950, 5, 5), "M", "pensioner")
    w.person("d", "h2", date(1955, 2, 2), "F", "disabled")
    w.loan("S1", "c", "subsidy", "subsidy", 1_200_000, date(2022, 6, 1))
    w.loan("S0", "c", "subsidy", "subsidy", 9_000_000, date(2021, 6, 1))  # spent: not income
    # h3: no stated income; agencies: 12,000,000 a year declared (1,000,000 a month) and
    # 0.2 ha leased (300,000): 1,300,000 / 3 = 433,333 per person; e and g are able.
    w.household("h3", M1, assessed=2, income_uzs=None)
    w.person("e", "h3", date(1990, 7, 1), "M", "self_employed")
    w.person("f", "h3", date(2010, 1, 1), "F", "child")
    w.person("g", "h3", date(1992, 12, 2), "F", "homemaker")
    w.tax("400000001", "e", 12_000_000)
    w.tax("400000002", "e", 100_000_000, closed_on=date(2022, 6, 1))  # closed: not income
    w.lease("L1", "e", "0.2000")
    w.lease("L2", "e", "5.0000", status="terminated")  # not income
    w.loan("LN1", "e", "loan", "family_entrepreneurship", 30_000_000, date(2022, 4, 1))
    # h4: well-off by income, but in the Iron Notebook.
    w.household("h4", M1, assessed=3, income_uzs=5_000_000)
    w.person("h", "h4", date(1980, 1, 1), "F", "unemployed", notebook="iron")
    # h5: no members; h6: a member but no income evidence at all.
    w.household("h5", M1, assessed=2, income_uzs=1_000_000)
    w.household("h6", M1, assessed=None, income_uzs=None)
    w.person("i", "h6", date(1995, 1, 1), "M", "unemployed")
    # Boundaries: exactly 1.0 x MCE; 60 on the day (able) and 61 (not able).
    w.household("h7", M1, assessed=2, income_uzs=498_000)
    w.person("j", "h7", date(1990, 1, 1), "M", "employed")
    w.household("h8", M1, assessed=3, income_uzs=100_000)
    w.person("k", "h8", date(1962, 12, 1), "M", "unemployed")
    w.household("h9", M1, assessed=3, income_uzs=100_000)
    w.person("l", "h9", date(1961, 11, 30), "M", "unemployed")
    # z is in no household: their records are evidence about no household.
    w.outsider("z", M1)
    w.status("E7", "z", "employed", date(2022, 5, 1))
    w.tax("400000009", "z", 50_000_000)
    w.loan("S9", "z", "subsidy", "subsidy", 6_000_000, date(2022, 6, 1))
    w.lease("L9", "z", "1.0000")
    w.notebook("z", "iron", "survey", "SV-none/z")
    return w


EXPECTED: dict[str, dict[str, Any]] = {
    "h1": {"computed_category": 1, "rule": "well_off", "income_uzs": 2_400_000,
           "income_basis": "survey", "per_capita_uzs": 1_200_000, "wage_income_uzs": 920_000,
           "able_adults": 2, "records": ["employment:E2", "survey:SV-h1"]},
    "h2": {"computed_category": 4, "rule": "low_income_no_able_adult", "income_uzs": 600_000,
           "subsidy_income_uzs": 100_000, "per_capita_uzs": 300_000, "able_adults": 0,
           "records": ["bank:S0", "bank:S1", "survey:SV-h2"]},
    "h3": {"computed_category": 3, "income_category": 3, "rule": "low_income_able",
           "income_uzs": 1_300_000,
           "income_basis": "agencies", "declared_income_uzs": 1_000_000,
           "land_income_uzs": 300_000, "per_capita_uzs": 433_333, "able_adults": 2,
           "records": ["bank:LN1", "land:L1", "survey:SV-h3", "tax:400000001"]},
    "h4": {"computed_category": 4, "rule": "iron_notebook", "income_category": 1,
           "records": ["survey:SV-h4", "survey:SV-h4/h"]},
    "h5": {"computed_category": None, "rule": "no_members", "members": 0},
    "h6": {"computed_category": None, "rule": "no_income_evidence", "income_uzs": None},
    "h7": {"computed_category": 2, "rule": "poverty_line", "per_capita_uzs": 498_000},
    "h8": {"computed_category": 3, "rule": "low_income_able", "able_adults": 1},
    "h9": {"computed_category": 4, "rule": "low_income_no_able_adult", "able_adults": 0},
}  # fmt: skip


def test_each_category_rule_decides_the_households_worked_by_hand(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        refresh_household_categories(session, AS_OF)
    by_id = {i: name for name, i in w.households.items()}
    with graph_db.session() as session:
        rows = session.scalars(select(HouseholdCategoryEvidence)).all()
        got = {by_id[r.household_id]: r for r in rows}
        written = dict(session.execute(select(Household.id, Household.computed_category)).all())
    assert set(got) == set(EXPECTED)
    for name, expected in EXPECTED.items():
        row = got[name]
        assert {k: getattr(row, k) for k in expected} == expected, name
        assert written[w.households[name]] == expected["computed_category"]
        assert row.mce_uzs == 498_000 and row.as_of_on == AS_OF


def test_disagreements_list_the_rule_and_records_per_mahalla(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        build(session)
        refresh_household_categories(session, AS_OF)
    with graph_db.session() as session:
        found = list_category_disagreements(session, M1)
        assert list_category_disagreements(session, M2) == []  # no survey yet: nothing
    # h1 3 -> 1, h3 2 -> 3, h4 3 -> 4, h9 3 -> 4; h5 and h6 have no computed category.
    assert [(d.household_hub_id, d.assessed_category, d.computed_category) for d in found] == [
        ("H-h1", 3, 1),
        ("H-h3", 2, 3),
        ("H-h4", 3, 4),
        ("H-h9", 3, 4),
    ]
    h3 = found[1]
    assert h3.rule == "low_income_able"
    assert h3.records == ["bank:LN1", "land:L1", "survey:SV-h3", "tax:400000001"]
    assert "433333" in h3.explanation and "0.5" not in h3.explanation
    assert "2 able-bodied" in h3.explanation


def test_a_refresh_of_some_mahallas_keeps_the_others_evidence(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        w.household("m2", M2, assessed=1, income_uzs=100_000)
        w.person("z", "m2", date(1970, 1, 1), "M", "employed")
        refresh_household_categories(session, AS_OF)
    with graph_db.session() as session, session.begin():
        done = refresh_household_categories(session, AS_OF, mahalla_codes=[M2])
        assert done["household_id"].to_list() == [w.households["m2"]]
    with graph_db.session() as session:
        assert session.scalar(select(HouseholdCategoryEvidence).where(
            HouseholdCategoryEvidence.mahalla_code == M1).limit(1)) is not None  # fmt: skip
        assert [d.household_hub_id for d in list_category_disagreements(session, M2)] == ["H-m2"]


def test_a_year_before_the_rules_is_refused_and_one_after_keeps_the_last_years(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session:
        build(session)
        with pytest.raises(MissingRuleYearError, match=r"no \[years\.2021\].*2022\.\.2026"):
            compute_categories(session, load_rules(), date(2021, 1, 1), Scope())
        later = compute_categories(session, load_rules(), date(2031, 1, 1), Scope())
    assert set(later["mce_uzs"].to_list()) == {load_rules().for_year(2026).mce_uzs}


def test_an_empty_graph_has_no_evidence_date_and_no_categories(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session:
        assert evidence_as_of(session) is None
        assert compute_categories(session, load_rules(), AS_OF).is_empty()
        build(session)
        assert evidence_as_of(session) == date(2023, 1, 5)  # the latest employment status


def test_a_changed_category_reaches_the_household_on_the_next_refresh(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        refresh_household_categories(session, AS_OF)
        first = session.scalars(select(HouseholdCategoryChange)).all()
    assert first == []  # a first category is not a change
    with graph_db.session() as session, session.begin():
        # h2 now states 2,000,000 for 2 people: 1,000,000 each >= 747,000: category 1.
        session.get_one(Household, w.households["h2"]).monthly_income_uzs = 2_000_000
        session.flush()
        refresh_household_categories(session, AS_OF, mahalla_codes=[M1])
    with graph_db.session() as session:
        assert session.get_one(Household, w.households["h2"]).computed_category == 1
        changes = session.execute(
            select(
                HouseholdCategoryChange.household_id,
                HouseholdCategoryChange.mahalla_code,
                HouseholdCategoryChange.from_category,
                HouseholdCategoryChange.to_category,
                HouseholdCategoryChange.as_of_on,
            )
        ).all()
        # h2 was 4 (350,000 each, no able adult): the one change, moving up three.
        assert changes == [(w.households["h2"], M1, 4, 1, AS_OF)]
        assert session.get_one(Household, w.households["h1"]).computed_category == 1
        assert session.get_one(Household, w.households["h5"]).computed_category is None
