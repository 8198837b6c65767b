"""The application: health check, GraphiQL by configuration, one session per request."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.app import create_app
from hub.api.principal import Principal, Role
from hub.api.settings import ApiSettings, load_api_settings
from hub.config import ConfigurationError, HubSettings
from hub.graph.database import create_hub_engine
from tests.api_callers import as_principal

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def test_healthz_reports_ok_when_the_database_answers(api: Api) -> None:
    response = api.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_healthz_reports_unavailable_when_the_database_does_not(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(HubSettings(database_url=url, data_dir=tmp_path))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable"})


def test_a_query_while_the_database_is_unreachable_is_a_masked_error(tmp_path: Path) -> None:
    # The asyncio engine's connection fails inside the request's first batch: every
    # resolver waiting on that batch gets the error, which is masked and logged.
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    engineer = as_principal(Principal(name="test", role=Role.ENGINEER))
    app = create_app(HubSettings(database_url=url, data_dir=tmp_path), authenticator=engineer)
    with TestClient(app) as client:
        response = client.post("/graphql", json={"query": "{ regions { totalCount } }"})
        assert response.status_code == 200
        errors = response.json()["errors"]
        assert [(e["message"], e["extensions"]["code"]) for e in errors] == [
            ("Unexpected error.", "INTERNAL_SERVER_ERROR")
        ]
        # The request returned what it had: the next one fails the same way, not worse.
        again = client.post("/graphql", json={"query": "{ regions { totalCount } }"})
        assert again.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def test_a_request_whose_key_cannot_be_checked_is_refused_with_503(tmp_path: Path) -> None:
    # Fail closed: an unreachable key store never lets a request through unchecked.
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(HubSettings(database_url=url, data_dir=tmp_path))
    key = "mh_0123456789abcdef_" + "a" * 43
    with TestClient(app) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ regions { totalCount } }"},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["errors"][0]["extensions"] == {"code": "SERVICE_UNAVAILABLE"}


def test_graphiql_is_off_by_default_and_on_by_configuration(tmp_path: Path) -> None:
    # Serving the IDE page reads no data, so an empty SQLite file is enough.
    settings = HubSettings(database_url=f"sqlite:///{tmp_path / 'hub.sqlite3'}", data_dir=tmp_path)
    html = {"Accept": "text/html"}
    with TestClient(create_app(settings, api_settings=ApiSettings())) as client:
        assert client.get("/graphql", headers=html).status_code == 404
    with TestClient(create_app(settings, api_settings=ApiSettings(graphiql=True))) as client:
        page = client.get("/graphql", headers=html)
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()


def test_graphiql_setting_is_read_from_the_environment() -> None:
    assert load_api_settings({"HUB_API_GRAPHIQL": "true"}).graphiql is True
    assert load_api_settings({}).graphiql is False
    with pytest.raises(ConfigurationError, match="HUB_API_GRAPHIQL"):
        load_api_settings({"HUB_API_GRAPHIQL": "perhaps"})


def test_random_page_cost_setting_is_read_from_the_environment() -> None:
    assert load_api_settings({}).random_page_cost == 1.1
    assert load_api_settings({"HUB_API_RANDOM_PAGE_COST": "4"}).random_page_cost == 4.0
    for bad in ("cheap", "0", "-1", "inf", "nan"):
        with pytest.raises(ConfigurationError, match="HUB_API_RANDOM_PAGE_COST"):
            load_api_settings({"HUB_API_RANDOM_PAGE_COST": bad})


def test_each_request_returns_its_connection_to_the_pool_or_the_kept_ones(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    # On PostgreSQL a finished request's connection is kept for the next one
    # (`hub.api.idle_connections`): one kept connection serves these requests in turn.
    pool = api.engine.pool
    idle = api.client.app.state.reads.idle  # type: ignore[attr-defined]
    kept = 0 if idle is None else 1
    for _ in range(3):
        api.data('{ person(pinfl: "31503851234566") { hubId loans { totalCount } } }')
        assert pool.checkedout() == kept
        assert kept == (0 if idle is None else len(idle))


def test_requests_read_without_a_transaction_on_postgresql(api: Api) -> None:
    # No BEGIN before a request's first statement, no ROLLBACK when it ends (see _engine).
    # (Seen at the statement: a connection kept from an earlier request is not checked
    # out of the pool again, `hub.api.idle_connections`.)
    seen: list[bool] = []

    def executing(connection: Any, *args: Any) -> None:
        seen.append(bool(getattr(connection.connection.dbapi_connection, "autocommit", False)))

    event.listen(api.engine, "before_cursor_execute", executing)
    try:
        api.data("{ regions { totalCount } }")
    finally:
        event.remove(api.engine, "before_cursor_execute", executing)
    assert len(seen) == 1
    if api.engine.dialect.name == "postgresql":
        assert seen == [True]


def test_requests_on_postgresql_await_their_statements_on_the_servers_loop(api: Api) -> None:
    # On PostgreSQL the API reads through an asyncio engine: no worker thread per request.
    assert isinstance(api.app_engine, AsyncEngine) is (api.engine.dialect.name == "postgresql")
    assert api.data('{ mahalla(code: "1703202001") { code } }')["mahalla"] is not None


def test_the_api_tunes_the_garbage_collector_at_start_up_unless_told_not_to(
    tmp_path: Path,
) -> None:
    import gc

    settings = HubSettings(database_url=f"sqlite:///{tmp_path}/hub.sqlite3", data_dir=tmp_path)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with TestClient(create_app(settings, api_settings=ApiSettings(tune_gc=False))):
            assert gc.get_threshold() == (700, 10, 10)
        with TestClient(create_app(settings, api_settings=ApiSettings())):
            assert gc.get_threshold()[0] == 50_000
            assert gc.get_freeze_count() > 0
        assert load_api_settings({"HUB_API_TUNE_GC": "false"}).tune_gc is False
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_requests_are_not_preceded_by_a_ping(api: Api) -> None:
    # A ping on checkout was a round trip per request, as many as the request's statement.
    assert api.count_statements('{ mahalla(code: "1703202001") { code } }') == 1
    if api.engine.dialect.name == "postgresql":
        assert api.app_engine.pool._pre_ping is False


def test_a_connection_the_server_dropped_is_replaced_and_the_request_answers(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    if api.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    query = '{ mahalla(code: "1703202001") { code district { name } } }'
    expected = api.data(query)
    # The server ends every other session on the database: the pooled connections the
    # API holds are now dead, which the pool cannot know without a ping.
    admin = create_hub_engine(api.engine.url.render_as_string(hide_password=False))
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        admin.dispose()
    for _ in range(3):
        assert api.data(query) == expected
