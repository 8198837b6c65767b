"""The audit log: a row for each response that returned personal data (after it was
sent), none for aggregates, a hash chain `hub audit verify` checks, and on PostgreSQL a
table that refuses UPDATE and DELETE."""

from __future__ import annotations

import hashlib
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from hub.access.audit_chain import AuditEntry, append_entries, verify_chain
from hub.access.keys import KeySpec
from hub.api import audit as audit_module
from hub.api.app import create_app
from hub.api.principal import PERSONAL_SCOPE, SCOPES, Role
from hub.api.settings import ApiSettings
from hub.cli import app as cli
from hub.config import HubSettings
from hub.graph.database import create_hub_engine
from hub.graph.models import AuditRecord
from tests.api_keys import issue_key

if TYPE_CHECKING:
    from conftest import BuiltGraph

    from tests.conftest import GraphDatabase

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PERSONS = """
query Persons($first: Int!) {
  persons(first: $first) { edges { node { hubId fullName } } }
}"""
AGGREGATE = "query Regions { regions { totalCount } }"


@dataclass
class Audited:
    """An app with an agency key that reads persons (`key`) and an engineer key that
    reads the audit log (`engineer_key`)."""

    client: TestClient
    url: str
    key: str
    engineer_key: str

    @property
    def key_id(self) -> str:
        return self.key.split("_")[1]

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> Any:
        body = {"query": query, "variables": variables or {}}
        return self.client.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {key or self.key}"}
        )

    def rows(self) -> list[Any]:
        """The key's audit rows, once the app's writer has written what it queued."""
        portal = self.client.portal
        assert portal is not None
        portal.call(self.client.app.state.audit.flush)  # type: ignore[attr-defined]
        engine = create_hub_engine(self.url)
        try:
            with engine.connect() as connection:
                stmt = select(AuditRecord.__table__).where(AuditRecord.key_id == self.key_id)
                return list(connection.execute(stmt.order_by(AuditRecord.id)))
        finally:
            engine.dispose()


@pytest.fixture
def audited(built_graph: BuiltGraph, tmp_path: Path) -> Iterator[Audited]:
    settings = HubSettings(database_url=built_graph.url, data_dir=tmp_path)
    key = issue_key(settings, KeySpec(owner="ops", role=Role.AGENCY, scopes=SCOPES))
    engineer = KeySpec(owner="audit", role=Role.ENGINEER, scopes=frozenset({PERSONAL_SCOPE}))
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False))
    with TestClient(app) as client:
        yield Audited(client, built_graph.url, key, issue_key(settings, engineer))


def test_a_response_with_persons_writes_one_audit_row_naming_them(audited: Audited) -> None:
    response = audited.post(PERSONS, {"first": 3, "apiKey": "hunter2"})
    assert response.status_code == 200 and "errors" not in response.json()
    returned = {e["node"]["hubId"] for e in response.json()["data"]["persons"]["edges"]}
    (row,) = audited.rows()
    assert (row.owner, row.role, row.operation_name) == ("ops", "agency", "Persons")
    assert row.document_hash == hashlib.sha256(PERSONS.encode()).hexdigest()
    assert row.variables == {"first": 3, "apiKey": "[removed]"}
    assert set(row.person_ids) == returned and len(returned) == 3
    assert row.result_bytes == len(response.content)
    assert (datetime.now(UTC) - row.at).total_seconds() < 60


def test_an_aggregate_response_writes_no_audit_row(audited: Audited) -> None:
    assert audited.post(AGGREGATE).status_code == 200
    query = '{ mahalla(code: "1703202001") { code name statistics { population } } }'
    assert "errors" not in audited.post(query).json()
    assert audited.rows() == []


def test_engineers_read_the_audit_log_through_the_api(audited: Audited) -> None:
    audited.post(PERSONS, {"first": 1})
    (written,) = audited.rows()  # the writer has written it
    query = """query Log($key: String) { auditLog(keyId: $key, first: 5) {
        totalCount edges { node { owner operationName personIds variables rowHash } } } }"""
    answer = audited.post(query, {"key": audited.key_id}, key=audited.engineer_key).json()
    data = answer["data"]["auditLog"]
    assert data["totalCount"] == 1
    node = data["edges"][0]["node"]
    assert (node["owner"], node["operationName"], len(node["personIds"])) == ("ops", "Persons", 1)
    assert node["variables"] == '{"first":1}'
    assert node["rowHash"] == written.row_hash


def _entry(n: int) -> AuditEntry:
    return AuditEntry(
        at=datetime(2026, 12, 3, 12, 0, n % 60, 123456, tzinfo=UTC),
        key_id="0123456789abcdef",
        owner="tax-committee",
        role="agency",
        operation_name=f"Op{n}",
        document_hash="ab" * 32,
        variables={"n": n, "nested": {"pinfl": "31503851234566"}},
        person_ids=[f"P{n:06d}"],
        result_bytes=100 + n,
    )


def _tamper(graph_db: GraphDatabase, statement: Any) -> None:
    """Run `statement` as someone able to get past the table's guard: anyone on SQLite,
    a superuser skipping triggers on PostgreSQL."""
    with graph_db.engine.begin() as connection:
        if graph_db.backend == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(statement)


def _verify(graph_db: GraphDatabase) -> Any:
    with graph_db.engine.connect() as connection:
        return verify_chain(connection)


def test_verify_finds_an_altered_row_and_a_removed_one(graph_db: GraphDatabase) -> None:
    with graph_db.engine.connect() as connection:
        append_entries(connection, [_entry(n) for n in range(3)])
        append_entries(connection, [_entry(n) for n in range(3, 6)])
    report = _verify(graph_db)
    assert report.intact and report.rows == 6
    with graph_db.engine.connect() as connection:
        ids = list(connection.scalars(select(AuditRecord.id).order_by(AuditRecord.id)))

    _tamper(graph_db, update(AuditRecord).where(AuditRecord.id == ids[2]).values(person_ids=[]))
    report = _verify(graph_db)
    assert (report.broken_row, report.rows) == (ids[2], 2)
    assert "altered" in (report.reason or "")

    _tamper(graph_db, delete(AuditRecord).where(AuditRecord.id == ids[2]))
    report = _verify(graph_db)
    assert report.broken_row == ids[3]
    assert f"does not follow row {ids[1]}" in (report.reason or "")


def test_hub_audit_verify_exits_1_naming_the_first_broken_row(
    graph_db: GraphDatabase, tmp_path: Path
) -> None:
    env = {"HUB_DATABASE_URL": graph_db.url, "HUB_DATA_DIR": str(tmp_path)}
    with graph_db.engine.connect() as connection:
        append_entries(connection, [_entry(n) for n in range(4)])
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert result.exit_code == 0, result.output
    assert "intact: 4 rows" in result.output
    with graph_db.engine.connect() as connection:
        first = connection.scalar(select(func.min(AuditRecord.id)))
    _tamper(graph_db, delete(AuditRecord).where(AuditRecord.id == first))
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert f"Row {first + 1} does not follow the start of the log" in result.output


def test_concurrent_appends_never_fork_the_chain(graph_db: GraphDatabase) -> None:
    errors: list[BaseException] = []

    def writer(base: int) -> None:
        try:
            for n in range(10):
                with graph_db.engine.connect() as connection:
                    append_entries(connection, [_entry(base + n)])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(b * 100,)) for b in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = _verify(graph_db)
    assert report.intact and report.rows == 40


@pytest.mark.parametrize("graph_db", ["postgresql"], indirect=True)
def test_postgresql_refuses_to_update_or_delete_audit_rows(graph_db: GraphDatabase) -> None:
    with graph_db.engine.connect() as connection:
        append_entries(connection, [_entry(1)])
    for statement in (
        update(AuditRecord).values(owner="nobody"),
        delete(AuditRecord),
        text("TRUNCATE audit_log"),
    ):
        with (
            pytest.raises(DBAPIError, match="audit_log is append-only"),
            graph_db.engine.begin() as connection,
        ):
            connection.execute(statement)
    assert _verify(graph_db).rows == 1


MAIN_PINFL = "31503851234566"  # P-1 of the fixture graph (tests/hub/api/conftest.py)
ONE_PERSON = 'query One { person(pinfl: "31503851234566") { fullName } }'


def _hub_id_of_main_person(audited: Audited) -> str:
    query = f'{{ person(pinfl: "{MAIN_PINFL}") {{ hubId }} }}'
    hub_id: str = audited.post(query).json()["data"]["person"]["hubId"]
    return hub_id


def test_the_compiled_statement_names_its_persons_without_the_body_being_read(
    audited: Audited, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The person's statement returns its hub id beside the JSON, so the log names the
    # person even though the query did not select `hubId`, and never decodes the body.
    hub_id = _hub_id_of_main_person(audited)
    audited.rows()

    def unread(body: bytes) -> Any:
        raise AssertionError("the audit log read the response body")

    monkeypatch.setattr(audit_module, "orjson", SimpleNamespace(loads=unread))
    answer = audited.post(ONE_PERSON).json()
    assert answer["data"]["person"]["fullName"]
    rows = audited.rows()
    assert (rows[-1].operation_name, rows[-1].person_ids) == ("One", [hub_id])


def test_a_page_of_persons_is_named_whole_even_without_their_hub_ids(audited: Audited) -> None:
    by_id = audited.post(PERSONS, {"first": 4}).json()["data"]["persons"]["edges"]
    query = "query Names { persons(first: 4) { totalCount edges { node { fullName } } } }"
    assert "errors" not in audited.post(query).json()
    rows = audited.rows()
    assert rows[-1].operation_name == "Names"
    named = set(rows[-1].person_ids)
    if audited.url.startswith("postgresql"):  # connections compile on PostgreSQL only
        assert named == {e["node"]["hubId"] for e in by_id}
    else:  # the regular path's collector names the persons whose ids were selected
        assert named == set()


def test_compiled_and_regular_root_fields_of_one_operation_are_both_named(
    audited: Audited,
) -> None:
    hub_id = _hub_id_of_main_person(audited)
    # `person(hubId:)` goes the regular way (it follows merged hub ids).
    query = f"""query Both {{ a: person(pinfl: "{MAIN_PINFL}") {{ fullName }}
        b: person(hubId: "{hub_id}") {{ hubId }} regions {{ totalCount }} }}"""
    assert "errors" not in audited.post(query).json()
    rows = audited.rows()
    assert (rows[-1].operation_name, rows[-1].person_ids) == ("Both", [hub_id])
    nobody = 'query Nobody { person(pinfl: "99999999999999") { fullName } }'
    audited.post(nobody)
    assert audited.rows()[-1].operation_name == "Both"  # no person: no row
