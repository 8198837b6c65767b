"""Monthly indicators per mahalla, district, region and country, worked out by hand; a
closed month keeps its figures unless a late record for it arrives (then it is recorded)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.diagnostics.monthly import compute_monthly_indicators
from hub.diagnostics.monthly_store import read_monthly_series, refresh_monthly_indicators
from hub.graph.bulk import upsert_rows
from hub.graph.models import Appeal, MonthlyIndicatorRevision, Person
from tests.hub.diagnostics.small_world import SmallWorld

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1, M2, M3 = "1703202001", "1703202002", "1703202003"
JAN, FEB, MAR = date(2022, 1, 1), date(2022, 2, 1), date(2022, 3, 1)


def _appeal(
    key: str, mahalla: str, received: datetime, resolved: datetime | None
) -> dict[str, Any]:
    return {
        "appeal_id": key,
        "received_at": received,
        "channel": "hotline",
        "mahalla_code": mahalla,
        "topic": "gas",
        "addressed_to": "district_khokimiyat",
        "status": "resolved" if resolved else "received",
        "resolved_at": resolved,
    }


def build(session: Session) -> SmallWorld:
    w = SmallWorld(session)
    w.territory(M1, M2)
    w.territory(M3, district="1703203")  # another district of the same region
    # M1: two households surveyed in January (3 people), one more in March.
    w.household("a", M1, assessed=3, income_uzs=100_000)
    w.person("a1", "a", date(1990, 1, 1), "M", "unemployed")
    w.person("a2", "a", date(1992, 1, 1), "F", "homemaker")
    w.household("b", M1, assessed=1, income_uzs=9_000_000)
    w.person("b1", "b", date(1980, 1, 1), "M", "employed")
    w.status("E1", "a1", "unemployed", date(2022, 1, 10))
    w.status("E2", "b1", "employed", date(2022, 2, 15))  # placed in February
    w.loan("L1", "a1", "loan", "family_entrepreneurship", 30_000_000, date(2022, 2, 20))
    w.loan("L2", "b1", "subsidy", "subsidy", 2_000_000, date(2022, 2, 25))
    # M3: one household surveyed in February.
    w.household("c", M3, assessed=4, income_uzs=200_000)
    w.person("c1", "c", date(1950, 1, 1), "F", "pensioner")
    at = datetime(2022, 2, 3, 9, tzinfo=UTC)
    upsert_rows(
        session,
        Appeal,
        [
            _appeal("AP1", M1, at, datetime(2022, 2, 5, 9, tzinfo=UTC)),  # 2 days
            _appeal("AP2", M3, at, datetime(2022, 2, 9, 9, tzinfo=UTC)),  # 6 days
            _appeal("AP3", M3, at, None),
            # 23:30 on 31 January in Tashkent (18:30 UTC): January's.
            _appeal("AP4", M3, datetime(2022, 1, 31, 18, 30, tzinfo=UTC), None),
        ],
        key=["appeal_id"],
    )
    # A person the tax agency knows but no survey found (in M1), registered in February.
    upsert_rows(
        session,
        Person,
        [{"hub_id": "P-x", "full_name": "x", "name_key": "x", "mahalla_code": M1}],
        key=["hub_id"],
    )
    w.persons["x"] = session.scalars(select(Person.id).where(Person.hub_id == "P-x")).one()
    w.tax("400000009", "x", 6_000_000, registered_on=date(2022, 2, 1))
    return w


def _surveyed(w: SmallWorld, name: str, on: date) -> None:
    from hub.graph.models import Household

    w.session.get_one(Household, w.households[name]).surveyed_on = on


def _figures(frame: Any, level: str, code: str, month: date) -> dict[str, float]:
    rows = frame.filter(
        (frame["level"] == level) & (frame["code"] == code) & (frame["month_on"] == month)
    )
    return dict(zip(rows["name"].to_list(), rows["value"].to_list(), strict=True))


def test_each_figure_per_level_and_month_is_the_hand_count(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        for name, on in (("a", JAN), ("b", JAN), ("c", FEB)):
            _surveyed(w, name, on)
        figures = compute_monthly_indicators(session, date(2022, 2, 28))
    assert sorted(figures["month_on"].unique().to_list()) == [JAN, FEB]
    jan_m1, feb_m1 = (_figures(figures, "mahalla", M1, m) for m in (JAN, FEB))
    assert (jan_m1["households"], jan_m1["population"], jan_m1["unemployed"]) == (2, 3, 1)
    assert jan_m1["households.assessed.3"] == 1 and jan_m1["placed"] == 0
    assert (feb_m1["households"], feb_m1["placed"], feb_m1["unemployed"]) == (2, 1, 1)
    assert (feb_m1["loans.count"], feb_m1["loans.sum_uzs"]) == (2, 32_000_000)
    assert feb_m1["loans.count.subsidy"] == 1 and feb_m1["self_employed"] == 1
    assert (jan_m1["not_surveyed"], feb_m1["not_surveyed"]) == (0, 1)
    assert feb_m1["appeals.received"] == 1 and feb_m1["appeals.median_days"] == 2
    # The district 1703202 holds M1 and M2 (nothing): the same as M1; the region adds M3.
    assert _figures(figures, "district", "1703202", FEB)["households"] == 2
    feb_region = _figures(figures, "region", "1703", FEB)
    assert feb_region["households"] == 3 and feb_region["population"] == 4
    # Appeals in the region in February: AP1, AP2, AP3 received; AP1, AP2 resolved (2 and 6
    # days: median 4); AP4 was received in January, Tashkent time.
    assert (feb_region["appeals.received"], feb_region["appeals.resolved"]) == (3, 2)
    assert feb_region["appeals.resolution_rate"] == 2 / 3
    assert feb_region["appeals.median_days"] == 4
    assert _figures(figures, "country", "UZ", JAN)["appeals.received"] == 1
    # M2 has no survey and no records: a month of zeros, not a gap.
    jan_m2 = _figures(figures, "mahalla", M2, JAN)
    assert jan_m2["households"] == 0 and jan_m2["appeals.received"] == 0
    assert "appeals.resolution_rate" not in jan_m2  # no appeal received: no rate


def test_a_closed_month_keeps_its_figures_until_a_late_record_arrives(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        w = build(session)
        for name, on in (("a", JAN), ("b", JAN), ("c", FEB)):
            _surveyed(w, name, on)
        refresh_monthly_indicators(session, date(2022, 2, 28))
    with graph_db.session() as session, session.begin():
        # March's file: a1's record E1 reappears, placed in March (the later file wins, so
        # the graph forgets that a1 was unemployed in February).
        w.session = session
        w.status("E1", "a1", "employed", date(2022, 3, 5))
        done = refresh_monthly_indicators(session, date(2022, 3, 31))
        assert done.revised == 0 and done.months == (MAR,)  # February is not rebuilt
    with graph_db.session() as session:
        series = read_monthly_series(session, "mahalla", M1, JAN, MAR)
        revisions = session.scalars(select(MonthlyIndicatorRevision)).all()
    assert series["month_on"].to_list() == [JAN, FEB, MAR]
    assert series["unemployed"].to_list() == [1, 1, 0]  # February as published
    assert series["placed"].to_list() == [0, 1, 1]
    assert revisions == []
    with graph_db.session() as session, session.begin():
        # A late February loan arrives in April's delivery.
        w.session = session
        w.loan("L3", "a1", "loan", "microloan", 5_000_000, date(2022, 2, 27))
        done = refresh_monthly_indicators(session, date(2022, 3, 31))
    with graph_db.session() as session:
        series = read_monthly_series(session, "mahalla", M1, FEB, FEB)
        revised = {
            (r.level, r.code, r.name): (r.old_value, r.new_value, r.reason)
            for r in session.scalars(select(MonthlyIndicatorRevision))
        }
    assert series["loans.count"].to_list() == [3]
    assert series["unemployed"].to_list() == [1]  # a late loan moves only the loan figures
    old, new, reason = revised[("mahalla", M1, "loans.count")]
    assert (old, new) == (2, 3) and reason.startswith("late records dated 2022-02 from bank")
    assert revised[("country", "UZ", "loans.sum_uzs")][:2] == (32_000_000, 37_000_000)
    assert {name for _, _, name in revised} == {
        "loans.count",
        "loans.count.microloan",
        "loans.sum_uzs",
        "loans.sum_uzs.microloan",
        "loans.to_date",
    }


def test_an_empty_graph_has_no_months(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        SmallWorld(session).territory(M1)
        assert compute_monthly_indicators(session, MAR).is_empty()
        assert refresh_monthly_indicators(session, MAR).written == 0
        assert read_monthly_series(session, "mahalla", M1, JAN, MAR).is_empty()
