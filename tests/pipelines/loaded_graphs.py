"""A world's first whole load made once, and a private copy of its graph for each test.

Several fault tests begin with the same whole load of the same world before they break
something (a source down, a delivery sent again, a record corrected). `loaded_graph` makes
that load once per module and backend; `graph_copy` gives a test a copy of its graph
(SQLite: the file; PostgreSQL: a database created from it as a template) and of its landing
store and reports, so the test goes on as if it had made the load itself. The load and its
success are the same as the tests' own first run: only who pays for it changes.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database
from sandbox.serve.app import create_agency_app
from sandbox.serve.in_thread import serve_in_thread
from tests.conftest import GraphDatabase, _postgres_admin_engine, _worker
from tests.pipelines.conftest import Agencies, _resources, agency_settings

BACKEND_PARAMS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""A module-scoped loaded graph's backends, marked as `graph_db`'s are."""
LoadRun = Callable[[dict[str, object]], bool]


@dataclass(frozen=True)
class LoadedGraph:
    """A loaded graph (never written after its load) and the folder of its landing store."""

    backend: str
    url: str
    database: str
    data: Path


def _create(admin: Engine, name: str, template: str | None = None) -> str:
    with admin.connect() as connection:
        if template is not None:
            # CREATE DATABASE ... TEMPLATE refuses while anyone is connected to the template.
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": template},
            )
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        else:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: the graph is in WAL mode, and its last commits may still be in
    the write-ahead log beside the file rather than in the file itself."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as copy:
        reading.backup(copy)


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def loaded_graph(backend: str, world: Path, folder: Path, run: LoadRun) -> Iterator[LoadedGraph]:
    """`world` loaded whole by `run` (which must succeed) into a new graph in `folder`."""
    data = folder / "data"
    admin = _postgres_admin_engine() if backend == "postgresql" else None
    name = f"hub_loaded_{_worker()}_{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{folder / 'hub.sqlite3'}" if admin is None else _create(admin, name)
    try:
        upgrade_database(url)
        app = create_agency_app(world, agency_settings())
        with serve_in_thread(app) as base:
            agencies = Agencies(f"{base}/tax", f"{base}/bank")
            assert run(_resources(url, data / "landing", world, agencies))
        yield LoadedGraph(backend=backend, url=url, database=name, data=data)
    finally:
        if admin is not None:
            _drop(admin, name)
            admin.dispose()


@contextmanager
def graph_copy(loaded: LoadedGraph, tmp_path: Path) -> Iterator[GraphDatabase]:
    """A copy of `loaded`'s graph, its landing store and reports where a test's
    `hub_resources` keeps them (`tmp_path`/landing, `tmp_path`/reports)."""
    if loaded.data.exists():
        shutil.copytree(loaded.data, tmp_path, dirs_exist_ok=True)
    admin = _postgres_admin_engine() if loaded.backend == "postgresql" else None
    name = f"hub_copy_{_worker()}_{uuid.uuid4().hex[:8]}"
    if admin is None:
        path = tmp_path / "hub.sqlite3"
        _copy_sqlite(Path(make_url(loaded.url).database or ""), path)
        url = f"sqlite:///{path}"
    else:
        url = _create(admin, name, template=loaded.database)
    engine = create_hub_engine(url)
    try:
        yield GraphDatabase(url=url, engine=engine, sessions=create_session_factory(engine))
    finally:
        engine.dispose()
        if admin is not None:
            _drop(admin, name)
            admin.dispose()
