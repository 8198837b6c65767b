"""Notebook eligibility and gaps, against findings worked out by hand.

As of 2022-12-01 (2022 rules: MCE 498,000; youth 14..30; women F 31..60; low-income =
category 3 or 4 by income).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.diagnostics.categories import refresh_household_categories
from hub.diagnostics.findings import list_notebook_findings
from hub.diagnostics.notebooks import refresh_notebook_findings
from hub.graph.bulk import upsert_rows
from hub.graph.models import HouseholdMember, NotebookGapClosed
from tests.hub.diagnostics.small_world import SmallWorld

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1, M2 = "1703202001", "1703202002"
AS_OF = date(2022, 12, 1)


def build(session: Session) -> SmallWorld:
    w = SmallWorld(session)
    w.territory(M1, M2)
    # n1: 600,000 over 4 people = 150,000 each, able adults: category 3 (low-income).
    w.household("n1", M1, assessed=3, income_uzs=600_000)
    w.person("amir", "n1", date(1997, 1, 1), "M", "unemployed")
    w.status("U1", "amir", "unemployed", date(2022, 3, 1))
    w.person("bonu", "n1", date(1985, 5, 5), "F", "homemaker", notebook="women")
    w.person("dilya", "n1", date(2008, 6, 1), "F", "student")  # 14: in the youth band
    w.person("iroda", "n1", date(1980, 8, 8), "F", "migrant_worker")
    w.status("R1", "iroda", "unemployed", date(2022, 9, 1))  # came back, registered
    # n2: 3,000,000 over 2 = 1,500,000 each: category 1.
    w.household("n2", M1, assessed=1, income_uzs=3_000_000)
    w.person("eldor", "n2", date(1990, 1, 1), "M", "employed")  # 32: over the youth band
    w.notebook("eldor", "youth", "bank", "LN-Y1")
    w.person("farida", "n2", date(1994, 2, 2), "F", "unemployed", notebook="youth")
    w.status("W1", "farida", "employed", date(2022, 5, 1))
    # n3: a lonely pensioner, 400,000: category 4, rightly in the Iron Notebook.
    w.household("n3", M1, assessed=4, income_uzs=400_000)
    w.person("gulnora", "n3", date(1950, 3, 3), "F", "pensioner", notebook="iron")
    # n4: disabled, alone, 600,000 >= MCE: category 2 by income, so no longer Iron.
    w.household("n4", M1, assessed=4, income_uzs=600_000)
    w.person("hamid", "n4", date(1970, 7, 7), "M", "disabled", notebook="iron")
    # n5: no income evidence: jasur's youth entry cannot be judged on income.
    w.household("n5", M1, assessed=None, income_uzs=None)
    w.person("jasur", "n5", date(2000, 1, 1), "M", "student", notebook="youth")
    # z is in no household: entered in the Women's notebook and unemployed, no finding.
    w.outsider("z", M1)
    w.status("E8", "z", "unemployed", date(2022, 5, 1))
    w.notebook("z", "women", "survey", "SV-none/z")
    return w


LOW = "household category 3 by income"
FAMILY = "family in the Iron or Women's notebook"
EXPECTED = [
    ("iron", "eligible_not_entered", "P-amir", f"eligible: unemployed able-bodied adult, {LOW}",
     ["employment:U1"]),
    ("iron", "eligible_not_entered", "P-iroda", f"eligible: unemployed able-bodied adult, {LOW}",
     ["employment:R1"]),
    ("iron", "entered_not_eligible", "P-hamid",
     "category improved: household category 2 by income", ["survey:SV-n4/hamid"]),
    ("women", "eligible_not_entered", "P-iroda",
     f"eligible: returning migrant registered unemployed (employment:R1), {LOW}",
     ["employment:R1"]),
    ("women", "entered_not_eligible", "P-bonu", "no eligibility criterion holds",
     ["survey:SV-n1/bonu"]),
    ("youth", "eligible_not_entered", "P-amir",
     f"eligible: unemployed since 2022-03-01 (employment:U1); {LOW}; {FAMILY}",
     ["employment:U1"]),
    ("youth", "eligible_not_entered", "P-dilya", f"eligible: {LOW}; {FAMILY}", []),
    ("youth", "entered_not_eligible", "P-eldor", "over age: 32 on 2022-12-01 (band 14..30)",
     ["bank:LN-Y1"]),
    ("youth", "entered_not_eligible", "P-farida",
     "now employed: employed on 2022-05-01 (employment:W1)",
     ["employment:W1", "survey:SV-n2/farida"]),
]  # fmt: skip


def test_notebook_gaps_per_mahalla_are_those_worked_by_hand(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        build(session)
        refresh_household_categories(session, AS_OF)
        refresh_notebook_findings(session, AS_OF)
    with graph_db.session() as session:
        found = list_notebook_findings(session, M1)
        assert list_notebook_findings(session, M2) == []  # no survey yet: nothing to find
    got = [(f.notebook, f.finding, f.person_hub_id, f.reason, f.records) for f in found]
    assert got == EXPECTED


def test_an_entry_is_judged_again_when_the_evidence_changes(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        refresh_household_categories(session, AS_OF)
        refresh_notebook_findings(session, AS_OF)
        # amir is placed in November: no longer unemployed, so no longer Iron- or
        # youth-eligible by unemployment (youth still by his family's low income).
        w.status("U2", "amir", "employed", date(2022, 11, 1))
        refresh_household_categories(session, AS_OF, mahalla_codes=[M1])
        refresh_notebook_findings(session, AS_OF, mahalla_codes=[M1])
    with graph_db.session() as session:
        amir = [
            (f.notebook, f.reason)
            for f in list_notebook_findings(session, M1)
            if f.person_hub_id == "P-amir"
        ]
        closed = session.execute(
            select(
                NotebookGapClosed.person_id,
                NotebookGapClosed.notebook,
                NotebookGapClosed.finding,
                NotebookGapClosed.mahalla_code,
                NotebookGapClosed.as_of_on,
            )
        ).all()
    # n1's income: the agencies' 920,000 (amir's wage) now beats the survey's 600,000:
    # 230,000 each, still category 3.
    assert amir == [("youth", f"eligible: {LOW}; {FAMILY}")]
    # The first build closed nothing; the second no longer finds amir's Iron gap.
    assert closed == [(w.persons["amir"], "iron", "eligible_not_entered", M1, AS_OF)]


def test_a_person_in_two_households_is_judged_once_in_their_own(graph_db: GraphDatabase) -> None:
    """Linking may list one person in two surveyed households: one finding per person and
    notebook (PostgreSQL refused the write of two), in the household the person names."""
    with graph_db.session() as session, session.begin():
        w = build(session)
        # amir (of n1) is also listed in gulnora's household n3.
        second = {"household_id": w.households["n3"], "person_id": w.persons["amir"]}
        upsert_rows(
            session,
            HouseholdMember,
            [{**second, "member_no": 99, "relation": "other"}],
            key=["household_id", "person_id"],
        )
        refresh_household_categories(session, AS_OF)
        computed = refresh_notebook_findings(session, AS_OF)
    amir = computed.filter(pl.col("person_id") == w.persons["amir"])
    assert sorted(amir["notebook"].to_list()) == ["iron", "youth"]
    assert set(amir["household_id"].to_list()) == {w.households["n1"]}
    with graph_db.session() as session:
        found = list_notebook_findings(session, M1)
    assert [(f.notebook, f.person_hub_id) for f in found].count(("iron", "P-amir")) == 1


def test_a_mahalla_with_no_households_has_no_findings(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        SmallWorld(session).territory(M2)
        assert refresh_notebook_findings(session, AS_OF).is_empty()
        assert refresh_notebook_findings(session, AS_OF, mahalla_codes=[M2]).is_empty()
