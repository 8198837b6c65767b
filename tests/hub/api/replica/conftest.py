"""A real streaming replica of the test server for the tests in this folder, started once
per session (or xdist worker: every test here is in the `pg_replica` group, which
`scripts/test`'s `--dist loadgroup` keeps in one worker) and removed at its end: the
replica stopped, its folder deleted, its slot and its graph database dropped."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from hub.access.keys import KeySpec
from hub.api.app import create_app
from hub.api.principal import SCOPES, Role
from hub.api.read_routing import READ_DATABASE_HEADER
from hub.api.read_settings import ReadRoutingSettings
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.database import (
    create_hub_engine,
    create_session_factory,
    upgrade_database,
)
from hub.graph.models import Region
from tests.api_keys import issue_key
from tests.conftest import IN_CI, POSTGRES_ADMIN_URL
from tests.hub.api.conftest import build_graph
from tests.postgres_replica import (
    ReplicaUnavailableError,
    StreamingReplica,
    start_replica,
    wait_until,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

REGIONS = "query Regions { regions { totalCount } }"
PERSONS = "query Persons { persons(first: 2) { edges { node { hubId } } } }"
ROUTING_LOG = "hub.api.read_routing"
# Codes of the regions the tests add (the fixture graph's are 17xx).
_NEW_REGION_CODES = (str(code) for code in count(9000))


@dataclass(frozen=True)
class Replicated:
    """A graph database on the primary and the same database seen through the replica."""

    replica: StreamingReplica
    primary_url: str
    replica_url: str

    def add_region(self) -> str:
        """Insert a region on the primary; its code."""
        code = next(_NEW_REGION_CODES)
        engine = create_hub_engine(self.primary_url)
        try:
            with engine.begin() as connection:
                connection.execute(insert(Region).values(code=code, name=f"Test {code}"))
        finally:
            engine.dispose()
        return code

    def count_regions(self, url: str) -> int:
        engine = create_hub_engine(url)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(select(func.count()).select_from(Region)).scalar_one()
                )
        finally:
            engine.dispose()

    def replica_caught_up(self) -> bool:
        return self.count_regions(self.replica_url) == self.count_regions(self.primary_url)


@pytest.fixture(scope="session")
def replicated() -> Iterator[Replicated]:
    """A replica of the test server streaming a graph database of its own (both removed
    at the end: the replica stopped, its folder deleted, its slot and the database dropped)."""
    try:
        replica = start_replica(POSTGRES_ADMIN_URL)
    except (ReplicaUnavailableError, OSError) as exc:
        message = f"No streaming replica of {POSTGRES_ADMIN_URL}: {exc}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: the replica tests must run)", pytrace=False)
        pytest.skip(message)
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"i19_replica_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        primary_url = make_url(POSTGRES_ADMIN_URL).set(database=name)
        primary = primary_url.render_as_string(hide_password=False)
        upgrade_database(primary)
        engine = create_hub_engine(primary)
        with create_session_factory(engine)() as session, session.begin():
            build_graph(session)
        engine.dispose()
        world = Replicated(replica, primary, replica.url(name))
        wait_until(lambda: _answers(world), timeout=60)
        yield world
    finally:
        replica.remove()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _answers(world: Replicated) -> bool:
    try:
        return world.replica_caught_up()
    except Exception:  # noqa: BLE001 - the database is not replayed yet
        return False


@dataclass
class ReplicaApi:
    client: TestClient
    headers: dict[str, str]

    def regions(self) -> tuple[int, str]:
        """The region count the API answers and the database that served it."""
        response = self.client.post("/graphql", json={"query": REGIONS}, headers=self.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]["regions"]["totalCount"], response.headers[READ_DATABASE_HEADER]

    def served_by(self) -> str:
        return self.regions()[1]

    def health(self) -> dict[str, Any]:
        response = self.client.get("/healthz")
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report


@contextmanager
def api_over(world: Replicated, tmp_path: Path, reads: ReadRoutingSettings) -> Iterator[ReplicaApi]:
    settings = HubSettings(
        database_url=world.primary_url, data_dir=tmp_path, database_read_url=world.replica_url
    )
    key = issue_key(settings, KeySpec(owner="replica-test", role=Role.AGENCY, scopes=SCOPES))
    # The key was just written on the primary: it works at once only because keys are
    # looked up there, whatever the replica has replayed.
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False), read_settings=reads)
    with TestClient(app) as client:
        yield ReplicaApi(client, {"Authorization": f"Bearer {key}"})


@pytest.fixture
def api(replicated: Replicated, tmp_path: Path) -> Iterator[ReplicaApi]:
    """The API reading from the replica, with a lag bound (2 s) and back-off (0.2-1 s)
    short enough for a test to see both, once the replica is in use (the machine's
    other work may keep it a moment behind)."""
    reads = ReadRoutingSettings(
        max_lag_seconds=2.0, lag_check_seconds=0.1, retry_seconds=0.2, retry_max_seconds=1.0
    )
    with api_over(replicated, tmp_path, reads) as api:
        wait_until(lambda: api.served_by() == "replica", timeout=30)
        yield api
