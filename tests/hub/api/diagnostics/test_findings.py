"""A mahalla's category disagreements and notebook findings through the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.api.principal import PERSONAL_SCOPE, SCOPES, Principal, Role

if TYPE_CHECKING:
    from ..conftest import Api

PUBLIC = Principal("diag-public", Role.PUBLIC)
NO_PERSONAL = Principal("diag-np", Role.AGENCY, SCOPES - {PERSONAL_SCOPE})
OTHER_DISTRICT = Principal("diag-1703203", Role.AGENCY, SCOPES, district_code="1703203")

DISAGREEMENTS = """query($code: String!) { mahalla(code: $code) { categoryDisagreements {
  totalCount
  edges { node { household { hubId } assessedCategory computedCategory rule records
                 perCapitaIncome minimumConsumption asOf } }
} } }"""
FINDINGS = """query($kind: NotebookFindingKind) { mahalla(code: "1703202001") {
  notebookFindings(kind: $kind) { totalCount edges { node { notebook kind asOf } } }
} }"""
WHO = """{ mahalla(code: "1703202001") { notebookFindings(notebook: YOUTH) {
  edges { node { notebook reason person { hubId } } } } } }"""


def test_a_mahallas_disagreements_list_only_households_whose_categories_differ(
    diagnostics_api: Api,
) -> None:
    data = diagnostics_api.data(DISAGREEMENTS, {"code": "1703202001"})
    listed = data["mahalla"]["categoryDisagreements"]
    assert listed["totalCount"] == 1  # H-b: assessed 3, computed 3 agrees
    assert [e["node"] for e in listed["edges"]] == [
        {
            "household": {"hubId": "H-a"},
            "assessedCategory": 2,
            "computedCategory": 3,
            "rule": "low_income_able",
            "records": ["employment:E-1", "bank:L-1"],
            "perCapitaIncome": 500000,
            "minimumConsumption": 568000,
            "asOf": "2022-03-01",
        }
    ]


def test_disagreements_outside_an_agencys_territory_are_not_listed(diagnostics_api: Api) -> None:
    outside = diagnostics_api.data(DISAGREEMENTS, {"code": "1703202001"}, as_=OTHER_DISTRICT)
    inside = diagnostics_api.data(DISAGREEMENTS, {"code": "1703203001"}, as_=OTHER_DISTRICT)
    assert outside["mahalla"]["categoryDisagreements"] == {"totalCount": 0, "edges": []}
    assert inside["mahalla"]["categoryDisagreements"]["totalCount"] == 1


def test_the_public_may_not_see_disagreements_or_findings(diagnostics_api: Api) -> None:
    for query, variables in ((DISAGREEMENTS, {"code": "1703202001"}), (FINDINGS, {})):
        body = diagnostics_api.query(query, variables, as_=PUBLIC)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


def test_findings_are_listed_by_notebook_and_filtered_by_kind(diagnostics_api: Api) -> None:
    every = diagnostics_api.data(FINDINGS, {})["mahalla"]["notebookFindings"]
    assert [e["node"] for e in every["edges"]] == [
        {"notebook": "WOMEN", "kind": "ENTERED_NOT_ELIGIBLE", "asOf": "2022-03-01"},
        {"notebook": "YOUTH", "kind": "ELIGIBLE_NOT_ENTERED", "asOf": "2022-03-01"},
    ]
    gaps = diagnostics_api.data(FINDINGS, {"kind": "ELIGIBLE_NOT_ENTERED"})
    assert gaps["mahalla"]["notebookFindings"]["totalCount"] == 1


def test_who_a_finding_is_about_and_why_needs_the_personal_scope(diagnostics_api: Api) -> None:
    (shown,) = diagnostics_api.data(WHO)["mahalla"]["notebookFindings"]["edges"]
    assert shown["node"] == {
        "notebook": "YOUTH",
        "reason": "aged 17, unemployed",
        "person": {"hubId": "P-Aziz"},
    }
    body = diagnostics_api.query(WHO, as_=NO_PERSONAL)
    (masked,) = body["data"]["mahalla"]["notebookFindings"]["edges"]
    assert masked["node"] == {"notebook": "YOUTH", "reason": None, "person": None}
    assert sorted((e["path"][-1], e["extensions"]["scopes"]) for e in body["errors"]) == [
        ("person", ["personal"]),
        ("reason", ["personal"]),
    ]
