"""Property-based fuzzing of the ASGI app: documents hypothesis-graphql draws from the
schema, sent as the public and as an agency without the `personal` scope.

Whatever the document, the server answers without an internal error, and no response
holds the PINFL, the full name or the birth date of any person of the fixture graph (an
assistant's name is the public directory's, and is left out of the names looked for).
The examples are bounded so that the suite stays short.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from sqlalchemy import Connection, select

from hub.api.people.records import PERSON
from hub.api.principal import PERSONAL_SCOPE, SCOPES, Principal, Role
from hub.api.schema import SCHEMA
from hub.api.territory.data import ASSISTANT

if TYPE_CHECKING:
    from conftest import Api

PRINCIPALS = {
    "public": Principal("fuzz-public", Role.PUBLIC),
    "agency-without-personal": Principal("fuzz-agency", Role.AGENCY, SCOPES - {PERSONAL_SCOPE}),
}
# The diagnostics' periods (`hub.api.diagnostics.periods`): well-formed, and not.
PERIODS = {
    "Month": st.sampled_from(["2022-01", "2022-12", "2022-13", "22-1"]).map(nodes.String),
    "Quarter": st.sampled_from(["2022-Q1", "2022-Q4", "2022-Q5", "Q1"]).map(nodes.String),
}
DOCUMENTS = queries(SCHEMA._schema, allow_x00=False, custom_scalars=PERIODS)


@pytest.fixture(scope="module")
def secrets(built_graph: Any) -> Iterator[list[str]]:
    """Every fixture person's PINFL, full name and birth date, as a response would write
    them."""
    from hub.graph.database import create_hub_engine

    engine = create_hub_engine(built_graph.url)
    try:
        with engine.connect() as connection:
            yield _secrets(connection)
    finally:
        engine.dispose()


def _secrets(connection: Connection) -> list[str]:
    directory = {name for (name,) in connection.execute(select(ASSISTANT.c.full_name))}
    found: set[str] = set()
    for pinfl, full_name, birth_on in connection.execute(
        select(PERSON.c.pinfl, PERSON.c.full_name, PERSON.c.birth_on)
    ):
        if pinfl:
            found.add(pinfl)
        if full_name and full_name not in directory:
            found.add(full_name)
        if birth_on is not None:
            found.add(birth_on.isoformat())
    return sorted(found)


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
def test_no_document_errs_inside_or_shows_a_persons_identity(
    api: Api, secrets: list[str], who: str
) -> None:
    principal = PRINCIPALS[who]
    headers = api.auth(principal)
    assert len(secrets) > 50  # 124 persons: their PINFLs, distinct names and birth dates

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(document=DOCUMENTS, data=st.data())
    def check(document: str, data: st.DataObject) -> None:
        response = api.client.post("/graphql", json={"query": document}, headers=headers)
        assert response.status_code in (200, 400), (document, response.text)
        body = response.json()
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
        assert "INTERNAL_SERVER_ERROR" not in codes, (document, body)
        text = response.text
        shown = [s for s in secrets if s in text]
        assert shown == [], (document, shown)

    check()
