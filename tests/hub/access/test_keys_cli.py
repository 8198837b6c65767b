"""`hub keys create|list|rotate|revoke` against a real database, and the keys it prints
against the API."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hub.api.app import create_app
from hub.api.settings import ApiSettings
from hub.cli import app as cli
from hub.config import HubSettings
from hub.graph.models import ApiKey

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

KEY = re.compile(r"^mh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", re.MULTILINE)
QUERY = {"query": "{ regions { totalCount } }"}


@dataclass
class Keys:
    env: dict[str, str]
    client: TestClient
    graph_db: GraphDatabase

    def run(self, *args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, ["keys", *args], env=self.env)
        assert result.exit_code == code, result.output
        return result.output

    def create(self, *args: str) -> str:
        output = self.run("create", *args)
        (key,) = KEY.findall(output)
        return key

    def status(self, key: str) -> int:
        headers = {"Authorization": f"Bearer {key}"}
        return self.client.post("/graphql", json=QUERY, headers=headers).status_code


@pytest.fixture
def keys(graph_db: GraphDatabase, tmp_path: Path) -> Iterator[Keys]:
    env = {"HUB_DATABASE_URL": graph_db.url, "HUB_DATA_DIR": str(tmp_path)}
    settings = HubSettings(database_url=graph_db.url, data_dir=tmp_path)
    app = create_app(settings, api_settings=ApiSettings(tune_gc=False, key_cache_seconds=0))
    with TestClient(app) as client:
        yield Keys(env, client, graph_db)


def test_a_created_key_is_printed_once_stored_as_a_hash_and_let_in(keys: Keys) -> None:
    key = keys.create(
        "--owner", "tax-committee", "--role", "agency", "--scope", "personal",
        "--scope", "tax", "--region", "1703", "--expires", "90d",
    )  # fmt: skip
    assert keys.status(key) == 200
    key_id, secret = key.split("_")[1], key.split("_", 2)[2]
    with keys.graph_db.session() as session:
        row = session.scalars(select(ApiKey)).one()
    assert (row.id, row.owner, row.role, row.scopes) == (
        key_id,
        "tax-committee",
        "agency",
        ["personal", "tax"],
    )
    assert row.region_code == "1703" and row.expires_at is not None
    assert secret not in row.secret_hash and len(row.secret_hash) == 64
    listed = keys.run("list")
    assert key_id in listed and "tax-committee" in listed and "active" in listed
    assert secret not in listed and row.secret_hash not in listed


def test_create_refuses_what_it_cannot_issue_with_the_reason(keys: Keys) -> None:
    for args, reason in (
        (["--role", "agency", "--scope", "bogus"], "Scope 'bogus'"),
        (["--role", "agency", "--region", "17"], "Region code '17'"),
        (["--role", "public", "--district", "1703202"], "Only agency keys"),
        (["--role", "agency", "--expires", "2001-01-01"], "not in the future"),
    ):
        output = keys.run("create", "--owner", "x", *args, code=2)
        assert reason in output
    keys.run("create", "--owner", "x", "--role", "root", code=2)
    keys.run("create", "--owner", "x", "--role", "agency", "--expires", "soon", code=2)
    assert "No API key exists" in keys.run("list")


def test_rotate_issues_a_new_key_and_revokes_the_old_one(keys: Keys) -> None:
    old = keys.create("--owner", "bank", "--role", "agency", "--scope", "bank")
    old_id = old.split("_")[1]
    output = keys.run("rotate", old_id)
    (new,) = KEY.findall(output)
    assert (keys.status(new), keys.status(old)) == (200, 401)
    with keys.graph_db.session() as session:
        rows = {r.id: r for r in session.scalars(select(ApiKey))}
    assert rows[old_id].rotated_to == new.split("_")[1]
    assert rows[new.split("_")[1]].scopes == ["bank"]
    assert "revoked" in keys.run("list")
    keys.run("rotate", old_id, code=1)  # a revoked key is not rotated again


def test_rotate_with_a_grace_period_keeps_the_old_key_working_until_it_ends(keys: Keys) -> None:
    old = keys.create("--owner", "bank", "--role", "engineer")
    (new,) = KEY.findall(keys.run("rotate", old.split("_")[1], "--grace", "1h"))
    assert (keys.status(new), keys.status(old)) == (200, 200)
    assert "rotating" in keys.run("list")
    keys.run("revoke", old.split("_")[1])  # ends the grace period early
    assert (keys.status(new), keys.status(old)) == (200, 401)


def test_revoke_refuses_the_key_and_names_an_unknown_id(keys: Keys) -> None:
    key = keys.create("--owner", "platform", "--role", "public", "--expires", "never")
    assert keys.status(key) == 200
    keys.run("revoke", key.split("_")[1])
    assert keys.status(key) == 401
    assert "No API key has id 'feedfeedfeedfeed'" in keys.run("revoke", "feedfeedfeedfeed", code=1)
