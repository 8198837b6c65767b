"""Monthly series through the API, against the figures `world.py` wrote by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.api.principal import SCOPES, Principal, Role

if TYPE_CHECKING:
    from ..conftest import Api

PUBLIC = Principal("diag-public", Role.PUBLIC)
OTHER_DISTRICT = Principal("diag-1703203", Role.AGENCY, SCOPES, district_code="1703203")

DISTRICT = """query($from: Month!, $to: Month!, $names: [String!]) {
  district(code: "1703202") {
    monthly(from: $from, to: $to) {
      month figures(names: $names) { name value }
      revisions { name oldValue newValue reason }
    }
  }
}"""
MAHALLA = """query($code: String!) {
  mahalla(code: $code) { monthly(from: "2022-01", to: "2022-12") { month figures { name value } } }
}"""


def _codes(body: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return [(e["extensions"]["code"], tuple(e["path"] or ())) for e in body.get("errors", [])]


def _months(series: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    return {m["month"]: {f["name"]: f["value"] for f in m["figures"]} for m in series}


def test_a_series_holds_the_months_from_to_with_their_figures(diagnostics_api: Api) -> None:
    variables = {"from": "2022-02", "to": "2022-03", "names": ["households", "placed"]}
    series = diagnostics_api.data(DISTRICT, variables)["district"]["monthly"]
    assert _months(series) == {
        "2022-02": {"households": 39.0, "placed": 14.0},
        "2022-03": {"households": 40.0, "placed": 3.0},
    }


def test_a_revised_month_shows_its_revision_and_the_others_none(diagnostics_api: Api) -> None:
    variables = {"from": "2022-01", "to": "2022-03", "names": []}
    series = diagnostics_api.data(DISTRICT, variables)["district"]["monthly"]
    assert [(m["month"], m["revisions"]) for m in series] == [
        ("2022-01", []),
        (
            "2022-02",
            [
                {
                    "name": "placed",
                    "oldValue": 12.0,
                    "newValue": 14.0,
                    "reason": "late records dated 2022-02 from employment",
                }
            ],
        ),
        ("2022-03", []),
    ]


def test_the_country_and_a_region_have_series_of_their_own(diagnostics_api: Api) -> None:
    data = diagnostics_api.data(
        """{ countryMonthly(from: "2022-01", to: "2022-03") { month figures { name value } }
             region(code: "1703") { monthly(from: "2022-03", to: "2022-03") {
               figures(names: ["placed"]) { value } } } }"""
    )
    assert _months(data["countryMonthly"]) == {
        "2022-02": {"households": 41.0},
        "2022-03": {"households": 41.0},
    }
    assert data["region"]["monthly"] == [{"figures": [{"value": 4.0}]}]


def test_months_without_figures_are_left_out(diagnostics_api: Api) -> None:
    variables = {"from": "2021-06", "to": "2021-12", "names": None}
    assert diagnostics_api.data(DISTRICT, variables) == {"district": {"monthly": []}}


def test_from_after_to_is_bad_user_input(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(DISTRICT, {"from": "2022-03", "to": "2022-01"})
    assert _codes(body) == [("BAD_USER_INPUT", ("district", "monthly"))]
    assert "'from' has value '2022-03', after 'to' ('2022-01')" in body["errors"][0]["message"]


def test_a_span_beyond_ten_years_is_bad_user_input(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(DISTRICT, {"from": "2000-01", "to": "2022-01"})
    assert _codes(body) == [("BAD_USER_INPUT", ("district", "monthly"))]


def test_a_malformed_month_is_refused_naming_it(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(DISTRICT, {"from": "2022-13", "to": "2022-12"})
    assert body.get("data") is None
    assert "'2022-13' is not a month" in body["errors"][0]["message"]


def test_the_public_sees_district_figures_with_small_counts_suppressed(
    diagnostics_api: Api,
) -> None:
    body = diagnostics_api.query(DISTRICT, {"from": "2022-03", "to": "2022-03"}, as_=PUBLIC)
    (march,) = body["data"]["district"]["monthly"]
    shown = {f["name"]: f["value"] for f in march["figures"]}
    assert shown == {
        "appeals.received": 25.0,
        "appeals.resolution_rate": 0.8,
        "appeals.resolved": 20.0,
        "households": 40.0,
        "households.assessed.1": 12.0,
        "households.assessed.2": 13.0,
        # 4 is small; 11, the next smallest part, would give it back from the total.
        "households.assessed.3": None,
        "households.assessed.4": None,
        "land.hectares": None,  # follows its 2 leases
        "land.leases": None,
        "placed": None,
    }
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SUPPRESSED"] * 5


def test_the_public_sees_a_revision_suppressed_like_its_figure(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(
        DISTRICT, {"from": "2022-02", "to": "2022-02", "names": []}, as_=PUBLIC
    )
    assert "errors" not in body  # 12 and 14 are not small
    assert body["data"]["district"]["monthly"][0]["revisions"][0]["newValue"] == 14.0


def test_the_public_may_not_see_a_mahallas_series(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(MAHALLA, {"code": "1703202001"}, as_=PUBLIC)
    assert _codes(body) == [("FORBIDDEN", ("mahalla", "monthly"))]


def test_an_agency_sees_a_mahallas_series_unsuppressed(diagnostics_api: Api) -> None:
    data = diagnostics_api.data(MAHALLA, {"code": "1703202001"})
    assert _months(data["mahalla"]["monthly"]) == {
        "2022-01": {"households": 2.0, "placed": 1.0},
        "2022-02": {"households": 2.0, "placed": 0.0},
        "2022-03": {"households": 2.0, "placed": 2.0},
    }


def test_an_agency_sees_no_months_of_a_mahalla_outside_its_territory(
    diagnostics_api: Api,
) -> None:
    outside = diagnostics_api.data(MAHALLA, {"code": "1703202001"}, as_=OTHER_DISTRICT)
    inside = diagnostics_api.data(MAHALLA, {"code": "1703203001"}, as_=OTHER_DISTRICT)
    assert outside == {"mahalla": {"monthly": []}}
    assert _months(inside["mahalla"]["monthly"]) == {"2022-03": {"households": 1.0, "placed": 1.0}}


def test_a_dashboard_reads_the_series_in_one_statement_and_revisions_in_one_more(
    diagnostics_api: Api,
) -> None:
    without = diagnostics_api.count_statements(MAHALLA, {"code": "1703202001"})
    with_revisions = diagnostics_api.count_statements(
        DISTRICT, {"from": "2022-01", "to": "2022-12"}
    )
    if diagnostics_api.engine.dialect.name == "postgresql":
        # Compiled: each document is one statement (`hub.api.compiled.diagnostics_map`).
        assert (without, with_revisions) == (1, 1)
    else:
        # mahalla (1) + figures (1); district (1) + figures (1) + revisions (1, 3 months)
        assert (without, with_revisions) == (2, 3)


LISTS = """{ district(code: "1703202") { monthly(from: "2022-03", to: "2022-03") {
  names values all: values(names: ["placed", "households", "no.such.figure"]) } } }"""


def test_names_and_values_answer_a_month_as_two_lists(diagnostics_api: Api) -> None:
    (march,) = diagnostics_api.data(LISTS)["district"]["monthly"]
    assert _pairs(march) == {
        "appeals.received": 25.0,
        "appeals.resolution_rate": 0.8,
        "appeals.resolved": 20.0,
        "households": 40.0,
        "households.assessed.1": 12.0,
        "households.assessed.2": 13.0,
        "households.assessed.3": 11.0,
        "households.assessed.4": 4.0,
        "land.hectares": 0.35,
        "land.leases": 2.0,
        "placed": 3.0,
    }
    assert march["all"] == [3.0, 40.0, None]


def test_the_public_gets_values_with_the_same_counts_suppressed(diagnostics_api: Api) -> None:
    body = diagnostics_api.query(LISTS, as_=PUBLIC)
    (march,) = body["data"]["district"]["monthly"]
    shown = _pairs(march)
    assert [n for n, v in shown.items() if v is None] == [
        "households.assessed.3",
        "households.assessed.4",
        "land.hectares",
        "land.leases",
        "placed",
    ]
    assert march["all"] == [None, 40.0, None]  # placed: 3; no.such.figure: none
    suppressed = [tuple(e["path"][-2:]) for e in body["errors"]]
    assert all(e["extensions"]["code"] == "SUPPRESSED" for e in body["errors"])
    assert suppressed == [*(("values", i) for i in range(6, 11)), ("all", 0)]


def _pairs(month: dict[str, Any]) -> dict[str, float | None]:
    """A month's `names` and `values`, paired."""
    return dict(zip(month["names"], month["values"], strict=True))
