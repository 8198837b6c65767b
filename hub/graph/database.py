"""Engines and sessions for the graph database, and bringing its schema up to date.

Session lifecycle follows SQLAlchemy's "separate and external" rule: functions in the hub
take a `Session`; whoever calls them owns the transaction (`with session.begin(): ...`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import psycopg
from alembic import command
from alembic.config import Config
from psycopg.types.json import set_json_loads
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the API read while a load writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Bulk loads update many indexes: a larger page cache keeps them in memory.
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _configure_postgresql(dbapi_connection: Any, _record: Any) -> None:
    # JSON columns (indicator breakdowns, needs) are decoded with orjson: the standard
    # library's decoder cost several microseconds per value on every statistics read.
    # An asyncio engine's DBAPI connection is SQLAlchemy's adapter around psycopg's.
    connection = getattr(dbapi_connection, "_connection", dbapi_connection)
    if isinstance(connection, psycopg.Connection | psycopg.AsyncConnection):
        set_json_loads(orjson.loads, connection)


def _server_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` for a server database's engine: pre-ping, and sessions in UTC."""
    kwargs.setdefault("pool_pre_ping", True)
    # Sessions in UTC: timestamps then arrive already in UTC (`UtcDateTime` passes them on
    # instead of converting each one), and server-side date arithmetic is the same for
    # every connection whatever the server's own time zone.
    connect_args = dict(kwargs.pop("connect_args", None) or {})
    options = connect_args.get("options", "")
    if "TimeZone" not in options:
        connect_args["options"] = f"{options} -c TimeZone=UTC".strip()
    return {**kwargs, "connect_args": connect_args}


def create_hub_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`, creating a SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    engine = create_engine(url, **_server_options(kwargs))
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _configure_postgresql)
    return engine


def create_hub_async_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An asyncio engine for the PostgreSQL database at `url` (psycopg's async mode),
    configured as `create_hub_engine` configures a synchronous one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.get_driver_name() != "psycopg":
        raise ValueError(f"An asyncio engine is for postgresql+psycopg, not {parsed.drivername}.")
    engine = create_async_engine(url, **_server_options(kwargs))
    event.listen(engine.sync_engine, "connect", _configure_postgresql)
    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is interpolation syntax in Alembic's config parser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Apply the graph's Alembic migrations up to `revision`."""
    command.upgrade(alembic_config(url), revision)
