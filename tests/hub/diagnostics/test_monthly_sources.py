"""Where the monthly indicators place a record: the linked person's mahalla before the
record's own, except an appeal's own (the mahalla it was filed about) before the person's;
a record with neither is left out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from hub.diagnostics.monthly_sources import load_monthly_sources
from hub.graph.bulk import upsert_rows
from hub.graph.models import Appeal, TaxRegistration
from tests.hub.diagnostics.small_world import SmallWorld
from tests.hub.diagnostics.test_monthly import M1, M3, _appeal

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase


def test_a_record_is_placed_by_its_person_else_its_own_and_an_appeal_by_its_own(
    graph_db: GraphDatabase,
) -> None:
    with graph_db.session() as session, session.begin():
        w = SmallWorld(session)
        w.territory(M1)
        w.territory(M3, district="1703203")
        w.outsider("x", M1)
        # By registration day: x's says M3 (x lives in M1), one with no person says M3,
        # one with neither person nor place.
        w.tax("400000001", "x", 1, registered_on=date(2022, 1, 1), mahalla_code=M3)
        unlinked = {
            "regime": "self_employed",
            "declared_income_tiyin": 100,
            "source_updated_at": datetime(2022, 12, 1, tzinfo=UTC),
        }
        upsert_rows(
            session,
            TaxRegistration,
            [
                {
                    **unlinked,
                    "tin": "400000002",
                    "registered_on": date(2022, 1, 2),
                    "mahalla_code": M3,
                },
                {
                    **unlinked,
                    "tin": "400000003",
                    "registered_on": date(2022, 1, 3),
                    "mahalla_code": None,
                },
            ],
            key=["tin"],
        )
        at = datetime(2022, 2, 3, 9, tzinfo=UTC)
        upsert_rows(
            session,
            Appeal,
            [
                _appeal("AP1", M3, at, None) | {"person_id": w.persons["x"]},
                _appeal("AP2", M3, at.replace(day=4), None)
                | {"person_id": w.persons["x"], "mahalla_code": None},
            ],
            key=["appeal_id"],
        )
        sources = load_monthly_sources(session, date(2022, 2, 28))
    tax = dict(sources.tax.select("registered_on", "mahalla_code").iter_rows())
    assert tax == {date(2022, 1, 1): M1, date(2022, 1, 2): M3}
    appeals = dict(sources.appeals.select("received_on", "mahalla_code").iter_rows())
    assert appeals == {date(2022, 2, 3): M3, date(2022, 2, 4): M1}
