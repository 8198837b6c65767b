"""The API serves what the diagnostics' builders wrote: the monthly world of
`tests/hub/diagnostics/test_monthly.py`, refreshed in February and again in March after a
late February loan (figures worked out by hand there)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.principal import Principal, Role
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.diagnostics.monthly_store import refresh_monthly_indicators
from tests.hub.diagnostics.test_monthly import FEB, JAN, M1, _surveyed, build

from ..conftest import TEST_LIMITS, Api, TestPrincipals

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import GraphDatabase

SERIES = """query($code: String!) { mahalla(code: $code) {
  monthly(from: "2022-01", to: "2022-03") {
    month figures(names: ["placed", "loans.count", "unemployed"]) { name value }
    revisions { name oldValue newValue reason }
  }
} countryMonthly(from: "2022-02", to: "2022-02") {
  revisions { name oldValue newValue }
} }"""


@pytest.fixture
def refreshed_api(graph_db: GraphDatabase, tmp_path: Path) -> Iterator[Api]:
    with graph_db.session() as session, session.begin():
        w = build(session)
        for name, on in (("a", JAN), ("b", JAN), ("c", FEB)):
            _surveyed(w, name, on)
        refresh_monthly_indicators(session, date(2022, 2, 28))
    with graph_db.session() as session, session.begin():
        w.session = session
        w.loan("L3", "a1", "loan", "microloan", 5_000_000, date(2022, 2, 27))
        refresh_monthly_indicators(session, date(2022, 3, 31))
    principals = TestPrincipals()
    app = create_app(
        HubSettings(database_url=graph_db.url, data_dir=tmp_path),
        api_settings=ApiSettings(graphiql=False),
        authenticator=principals,
        limit_settings=TEST_LIMITS,
    )
    with TestClient(app) as client:
        yield Api(client, app.state.engine, principals)


def _by_month(series: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return {m["month"]: {f["name"]: f["value"] for f in m["figures"]} for m in series}


def test_the_series_and_the_late_loans_revision_are_served(refreshed_api: Api) -> None:
    data = refreshed_api.data(SERIES, {"code": M1})
    series = data["mahalla"]["monthly"]
    assert _by_month(series) == {
        "2022-01": {"loans.count": 0.0, "placed": 0.0, "unemployed": 1.0},
        "2022-02": {"loans.count": 3.0, "placed": 1.0, "unemployed": 1.0},
        # Nothing happened in March: a1 is still unemployed.
        "2022-03": {"loans.count": 0.0, "placed": 0.0, "unemployed": 1.0},
    }
    february = {r["name"]: r for r in series[1]["revisions"]}
    assert (february["loans.count"]["oldValue"], february["loans.count"]["newValue"]) == (2, 3)
    assert february["loans.count"]["reason"].startswith("late records dated 2022-02 from bank")
    assert series[0]["revisions"] == series[2]["revisions"] == []
    (country,) = data["countryMonthly"]
    sums = {r["name"]: (r["oldValue"], r["newValue"]) for r in country["revisions"]}
    assert sums["loans.sum_uzs"] == (32_000_000, 37_000_000)


def test_the_public_sees_the_districts_small_counts_suppressed(refreshed_api: Api) -> None:
    body = refreshed_api.query(
        '{ district(code: "1703202") { monthly(from: "2022-02", to: "2022-02") '
        '{ figures(names: ["households", "appeals.received"]) { name value } } } }',
        as_=Principal("builders-public", Role.PUBLIC),
    )
    # Two households and one appeal in the district in February: both below 10.
    assert body["data"]["district"]["monthly"] == [
        {
            "figures": [
                {"name": "households", "value": None},
                {"name": "appeals.received", "value": None},
            ]
        }
    ]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SUPPRESSED"] * 2
