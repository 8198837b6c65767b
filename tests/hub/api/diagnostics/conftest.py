"""An API over the diagnostics' small world (`world.py`), built once per backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from starlette.testclient import TestClient

from hub.api.app import create_app
from hub.api.settings import ApiSettings
from hub.config import HubSettings
from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database

from ..conftest import TEST_LIMITS, Api, TestPrincipals, _postgres_database
from .world import build_world


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def diagnostics_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('diagnostics-api') / 'hub.sqlite3'}"
        else:
            url = stack.enter_context(_postgres_database(request))
        upgrade_database(url)
        engine = create_hub_engine(url)
        try:
            with create_session_factory(engine)() as session, session.begin():
                build_world(session)
        finally:
            engine.dispose()
        settings = HubSettings(database_url=url, data_dir=tmp_path_factory.mktemp("d"))
        principals = TestPrincipals()
        app = create_app(
            settings,
            api_settings=ApiSettings(graphiql=False),
            authenticator=principals,
            limit_settings=TEST_LIMITS,
        )
        with TestClient(app) as client:
            yield Api(client, app.state.engine, principals)
