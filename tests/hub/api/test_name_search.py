"""Name search reads initials as Uzbek letters and `?` as a lost letter on both sides
(issue 17): "Rahimova Sh" finds Shahnoza, not Sohiba."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert
from starlette.requests import Request
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.principal import SCOPES, Principal, Role
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.models import Person
from hub.identity import normalise_name

NAMES = (
    "Rahimova Shahnoza Olim qizi",
    "Rahimova Sohiba Olim qizi",
    "Rahimova Nodira Chori qizi",
    "Rahimova Nargiza Salim qizi",
    "Ra?imova Charos Olim qizi",  # an export that lost the letter ҳ
)


async def _agency(request: Request) -> Principal:
    return Principal(name="test-agency", role=Role.AGENCY, scopes=SCOPES)


@pytest.fixture
def client(graph_db, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    rows = []
    for number, text in enumerate(NAMES):
        name = normalise_name(text)
        assert name is not None
        rows.append(
            {
                "hub_id": f"p{number}",
                "full_name": text,
                "name_key": name.key,
                "surname_key": name.surname_key,
                "sex": "F",
            }
        )
    with graph_db.session() as session, session.begin():
        session.execute(insert(Person), rows)
    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False), authenticator=_agency)
    with TestClient(app) as client:
        yield client


def _found(client: TestClient, typed: str) -> set[str]:
    query = "query($n: String!) { persons(filter: {name: $n}) { edges { node { fullName } } } }"
    response = client.post("/graphql", json={"query": query, "variables": {"n": typed}})
    body = response.json()
    assert "errors" not in body, body
    return {edge["node"]["fullName"].split()[1] for edge in body["data"]["persons"]["edges"]}


def test_a_digraph_initial_is_one_letter(client: TestClient) -> None:
    assert _found(client, "Rahimova Sh") == {"Shahnoza"}
    assert _found(client, "RAHIMOVA SH.") == {"Shahnoza"}
    assert _found(client, "Rahimova S.") == {"Sohiba"}
    assert _found(client, "Rahimova Ch.") == {"Charos"}
    assert _found(client, "Rahimova N. S.") == {"Nargiza"}
    assert _found(client, "Rahimova N. Ch.") == {"Nodira"}


def test_a_letter_lost_in_a_stored_surname_matches_any_letter(client: TestClient) -> None:
    assert _found(client, "Rahimova") == {"Shahnoza", "Sohiba", "Nodira", "Nargiza", "Charos"}
    assert _found(client, "Rahimova Charos") == {"Charos"}
    assert _found(client, "Karimova") == set()
