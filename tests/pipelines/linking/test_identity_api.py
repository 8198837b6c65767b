"""The identity fields of the API over a graph the linked_persons step wrote: a record's
link and waterfall, redirects followed, unlinked and borderline records, the not-surveyed
list, a business's sources, a household's plot lease."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.models import (
    Business,
    EmploymentRecord,
    Household,
    LandLease,
    Parcel,
    Person,
    TaxRegistration,
)
from pipelines.staging.mentions import add_mention_columns
from tests.api_callers import TEST_HEADER, by_test_header
from tests.hub.api.compiled.conftest import paths_over
from tests.hub.api.conftest import DEFAULT_PRINCIPAL, ENGINEER

MAHALLA = "1703202015"


def _persons(rows: list[dict[str, Any]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        mahalla_code=pl.lit(MAHALLA), birth_date=pl.lit(None, pl.Date), sex=pl.lit(None, pl.String)
    )
    pinfl = pl.col("pinfl") if "pinfl" in frame.columns else pl.lit(None)
    return add_mention_columns(
        frame.with_columns(pinfl=pinfl.cast(pl.String)),
        pinfl="pinfl",
        full_name="full_name",
        birth_on="birth_date",
        sex="sex",
    )


def gid(type_name: str, key: str) -> str:
    """A Relay global id as the API issues it."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def data(
        self, query: str, variables: dict[str, Any] | None = None, *, engineer: bool = False
    ) -> dict[str, Any]:
        """The answer to `query` as the tests' agency, or as the engineer (review lists)."""
        headers = {TEST_HEADER: "engineer"} if engineer else {}
        body = self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        answer: dict[str, Any] = body.json()
        assert "errors" not in answer, answer["errors"]
        return answer["data"]  # type: ignore[no-any-return]


def _household(session: Any) -> int:
    household = Household(hub_id="h1", survey_id="SV-1", mahalla_code=MAHALLA, needs=[])
    session.add(household)
    session.flush()
    return household.id


@pytest.fixture
def linked_graph(graph_db, resolver, link_delivery) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Anvar (surveyed; a tax record merged into him), Malika (agency records only), an
    unlinked appeal, a household plot leased by Anvar, a company by TIN in three sources."""
    link_delivery(
        "survey",
        _persons([{"record_key": "SV-1/1", "survey_id": "SV-1", "full_name": "Aliyev Anvar"}]),
    )
    link_delivery(
        "tax",
        _persons(
            [
                {
                    "record_key": "412345678",
                    "tin": "412345678",
                    "full_name": "ALIYEV ANVAR",
                    "pinfl": "31503851234566",
                }
            ]
        ),
    )
    ids = {"anvar": "", "merged": ""}
    with graph_db.session() as session:
        ids["merged"] = session.scalar(select(Person.hub_id).order_by(Person.id.desc()))
    resolver.groups = {
        "survey/SV-1/1": "A",
        "tax/412345678": "A",
        "bank/L-1": "A",
        "appeals/AP-9": None,
    }
    resolver.probabilities = {"tax/412345678": 0.97, "bank/L-1": 0.6}
    link_delivery(
        "bank", _persons([{"record_key": "L-1", "full_name": "ALIYEV A.", "passport": "AB1234567"}])
    )
    link_delivery("appeals", _persons([{"record_key": "AP-9", "full_name": "Aliyev"}]))
    link_delivery("employment", _persons([{"record_key": "E-1", "full_name": "Каримова Малика"}]))
    with graph_db.session() as session, session.begin():
        household_id = _household(session)
        anvar = session.scalars(select(Person).where(Person.pinfl == "31503851234566")).one()
        anvar.household_id = household_id
        ids["anvar"] = anvar.hub_id
        ids["malika"] = session.scalars(select(Person.hub_id).where(Person.id != anvar.id)).one()
        company = Business(tin="207654321", name="Navbahor Agro")
        parcel = Parcel(cadastre="17:03:02:01:02:0123", area_ha=0.12, purpose="household_plot")
        session.add_all([company, parcel])
        session.flush()
        session.add_all(
            [
                TaxRegistration(
                    tin="207654321",
                    regime="individual_entrepreneur",
                    registered_on=date(2022, 1, 1),
                    source_updated_at=datetime(2022, 1, 1, tzinfo=UTC),
                ),
                EmploymentRecord(
                    record_no="E-1",
                    status="employed",
                    status_on=date(2022, 2, 1),
                    employer_tin="207654321",
                    source_file="employment_2022-02.csv",
                ),
                LandLease(
                    lease_id="LS-1",
                    status="active",
                    parcel_id=parcel.id,
                    person_id=anvar.id,
                    lessee_kind="person",
                    start_on=date(2022, 3, 1),
                    snapshot_on=date(2022, 12, 1),
                ),
                LandLease(
                    lease_id="LS-2",
                    status="active",
                    parcel_id=parcel.id,
                    business_id=company.id,
                    lessee_kind="legal_entity",
                    start_on=date(2022, 3, 1),
                    snapshot_on=date(2022, 12, 1),
                ),
            ]
        )
    return ids


@pytest.fixture
def api(graph_db, linked_graph, tmp_path: Path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    app = create_app(
        settings, api_settings=ApiSettings(graphiql=False), authenticator=by_test_header
    )
    with TestClient(app) as client:
        yield Api(client)


LINK = """link { method matchProbability matchWeight unlinkedReason modelVersion
  matchedRecord { source recordKey } contributions { comparison level log2BayesFactor } }"""


def test_a_record_shows_how_it_joined_its_person_with_the_waterfall(api: Api) -> None:
    query = "query($id: ID!) { node(id: $id) { ... on SourceRecord { " + LINK + " } } }"
    link = api.data(query, {"id": gid("SourceRecord", "tax:412345678")})["node"]["link"]
    assert link["method"] == "probabilistic"
    assert link["matchProbability"] == pytest.approx(0.97)
    assert link["matchedRecord"] == {"source": "survey", "recordKey": "SV-1/1"}
    assert [(c["comparison"], c["log2BayesFactor"]) for c in link["contributions"]] == [
        ("prior", -12.0),
        ("surname", 9.0),
    ]


def test_a_merged_hub_id_leads_to_the_surviving_person(api: Api, linked_graph) -> None:  # type: ignore[no-untyped-def]
    merged, anvar = linked_graph["merged"], linked_graph["anvar"]
    assert merged != anvar
    by_argument = api.data("query($h: String) { person(hubId: $h) { hubId pinfl } }", {"h": merged})
    assert by_argument["person"] == {"hubId": anvar, "pinfl": "31503851234566"}
    by_node = api.data(
        "query($id: ID!) { node(id: $id) { ... on Person { hubId } } }",
        {"id": gid("Person", merged)},
    )
    assert by_node["node"] == {"hubId": anvar}


def test_unlinked_mentions_are_listed_beside_the_persons_with_their_reason(api: Api) -> None:
    found = api.data(
        "{ unlinkedMentions { totalCount edges { node { source recordKey " + LINK + " } } } }",
        engineer=True,
    )
    (edge,) = found["unlinkedMentions"]["edges"]
    assert (edge["node"]["source"], edge["node"]["recordKey"]) == ("appeals", "AP-9")
    assert edge["node"]["link"]["method"] == "unlinked"
    assert edge["node"]["link"]["unlinkedReason"] == "only a name"


def test_borderline_links_are_those_in_the_asked_band(api: Api) -> None:
    query = """query($lo: Float!, $hi: Float!) {
      borderlineLinks(minProbability: $lo, maxProbability: $hi) {
        edges { node { recordKey } } } }"""

    def keys(lo: float, hi: float) -> list[str]:
        edges = api.data(query, {"lo": lo, "hi": hi}, engineer=True)["borderlineLinks"]["edges"]
        return [e["node"]["recordKey"] for e in edges]

    assert keys(0.5, 0.9) == ["L-1"]
    assert keys(0.9, 1.0) == ["412345678"]
    assert keys(0.0, 0.4) == []


def test_persons_no_survey_found_are_listed_per_mahalla_with_their_evidence(
    api: Api, linked_graph
) -> None:  # type: ignore[no-untyped-def]
    query = """query($m: String!) { notSurveyed(mahallaCode: $m) { totalCount edges { node {
      hubId sourceRecords { edges { node { source recordKey } } } } } } }"""
    found = api.data(query, {"m": MAHALLA})["notSurveyed"]
    assert found["totalCount"] == 1
    (edge,) = found["edges"]
    assert edge["node"]["hubId"] == linked_graph["malika"]
    evidence = [e["node"] for e in edge["node"]["sourceRecords"]["edges"]]
    assert evidence == [{"source": "employment", "recordKey": "E-1"}]


def test_a_business_is_one_node_per_tin_with_its_records_across_sources(api: Api) -> None:
    found = api.data(
        "query($id: ID!) { node(id: $id) { ... on Business {"
        " sources { source recordKey role } } } }",
        {"id": gid("Business", "207654321")},
    )
    assert found["node"]["sources"] == [
        {"source": "employment", "recordKey": "E-1", "role": "employer"},
        {"source": "land", "recordKey": "LS-2", "role": "lessee"},
        {"source": "tax", "recordKey": "207654321", "role": "taxpayer"},
    ]


LEASE = "query($id: ID!) { node(id: $id) { ... on LandLease { household { hubId } } } }"


def test_a_household_plot_lease_is_linked_to_its_household_through_its_lessee(api: Api) -> None:
    lease = api.data(LEASE, {"id": gid("LandLease", "LS-1")})
    assert lease["node"]["household"] == {"hubId": "h1"}
    company = api.data(LEASE, {"id": gid("LandLease", "LS-2")})
    assert company["node"]["household"] is None
    household = api.data('{ household(hubId: "h1") { plotLeases { leaseId } } }')
    assert household["household"]["plotLeases"] == [{"leaseId": "LS-1"}]


BOTH_PATHS = [
    "{ unlinkedMentions { totalCount edges { cursor node { source recordKey pinflIssue "
    "matchMethod } } pageInfo { hasNextPage } } }",
    '{ unlinkedMentions(source: "appeals", last: 1) { totalCount edges { node { recordKey } } } }',
    "{ borderlineLinks(minProbability: 0.5, maxProbability: 1.0) { totalCount edges { node { "
    "source recordKey matchScore } } } }",
    f'{{ notSurveyed(mahallaCode: "{MAHALLA}") {{ totalCount edges {{ node {{ hubId '
    "fullName sourceRecords { totalCount } } } } }",
    # Each record's link and waterfall, linked or not.
    "{ borderlineLinks(minProbability: 0.0, maxProbability: 1.0) { totalCount edges { node { "
    + LINK
    + " } } } }",
    "{ unlinkedMentions { totalCount edges { node { " + LINK + " } } } }",
    # A household's plot leases through its lessee; a business's records by TIN.
    "{ households { totalCount edges { node { hubId plotLeases { leaseId startOn "
    "person { hubId } business { tin sources { source recordKey role } } } } } } }",
    "{ persons { totalCount edges { node { landLeases { edges { node { leaseId "
    "business { tin name sources { source recordKey role } } } } } } } } }",
    f'{{ node(id: "{gid("Business", "207654321")}") {{ ... on Business {{ tin '
    "sources { source recordKey role } } } }",
    "{ persons { totalCount edges { node { sourceRecords { edges { node { kind "
    + LINK
    + " } } } } } } }",
]


@pytest.mark.parametrize("document", BOTH_PATHS)
def test_the_identity_lists_answer_alike_compiled_and_through_the_resolvers(
    graph_db: Any, linked_graph: Any, document: str
) -> None:
    """Compiled and regular paths agree on the lists over a graph that has entries."""
    shown = []
    with paths_over(graph_db.url) as paths:
        for principal in (DEFAULT_PRINCIPAL, ENGINEER):
            mine, theirs = paths.both(document, None, principal)
            assert mine == theirs, (principal.name, mine, theirs)
            if "errors" not in mine:
                shown.append(next(iter(mine["data"].values())))
    # One of the two may read it, and the graph gives it entries to show.
    assert any(v and v.get("totalCount", 1) > 0 and v.get("sources", [1]) for v in shown)
