"""After a load only the mahallas whose evidence was written are redone; a change of rules
or of the "as of" day redoes everything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hub.diagnostics.categories import refresh_household_categories
from hub.diagnostics.touched import last_built, plan_refresh, touched_mahallas
from hub.graph.models import HouseholdCategoryEvidence, NotebookFinding
from tests.hub.diagnostics.small_world import SmallWorld

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

M1, M2, M3 = "1703202001", "1703202002", "1703202003"
AS_OF = date(2022, 12, 1)


def _world(session: Session) -> SmallWorld:
    w = SmallWorld(session)
    w.territory(M1, M2, M3)
    for name, mahalla in (("h1", M1), ("h2", M2), ("h3", M3)):
        w.household(name, mahalla, assessed=3, income_uzs=300_000)
        w.person(f"{name}p", name, date(1990, 1, 1), "M", "unemployed")
    return w


def test_only_mahallas_with_evidence_written_since_are_touched(graph_db: GraphDatabase) -> None:
    with graph_db.session() as session, session.begin():
        w = _world(session)
    since = datetime.now(UTC)
    with graph_db.session() as session, session.begin():
        w.session = session
        w.status("E1", "h2p", "employed", date(2022, 6, 1))  # a member of h2 (M2)
        w.loan("L1", "h3p", "loan", "microloan", 1_000_000, date(2022, 6, 1))  # h3 (M3)
    with graph_db.session() as session:
        assert touched_mahallas(session, since, False) == [M2, M3]
        assert touched_mahallas(session, datetime.now(UTC) + timedelta(seconds=1), False) == []


def test_the_plan_is_whole_when_nothing_was_built_or_the_rules_or_day_changed(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        _world(session)
        assert last_built(session, HouseholdCategoryEvidence) == (None, None, None)
        assert plan_refresh(session, (None, None, None), AS_OF, "v1").mahalla_codes is None
        refresh_household_categories(session, AS_OF)
        built = last_built(session, HouseholdCategoryEvidence)
        assert built[1:] == (AS_OF, "2026.12.1")
        assert last_built(session, NotebookFinding) == (None, None, None)
        other_rules = plan_refresh(session, built, AS_OF, "2027.1.1")
        assert other_rules.mahalla_codes is None and "2027.1.1" in other_rules.reason
        other_day = plan_refresh(session, built, date(2022, 12, 31), "2026.12.1")
        assert other_day.mahalla_codes is None and "2022-12-31" in other_day.reason
        # Same rules and day: only what was written since (here, within the overlap: all).
        same = plan_refresh(session, built, AS_OF, "2026.12.1")
        assert same.mahalla_codes == [M1, M2, M3]
