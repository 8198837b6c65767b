"""bench_api's database: whether a seeded one can be reused, reading it into the page cache
(`pg_prewarm`), and the API key the project's requests carry."""

from __future__ import annotations

import os
import time

from sqlalchemy import create_engine, text


def seeded(admin_url: str, database: str, persons: int) -> str | None:
    """The URL of `database` when it exists and holds `persons` persons, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError, ProgrammingError

    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            count = connection.scalar(text("SELECT count(*) FROM person"))
    except (OperationalError, ProgrammingError):
        return None
    finally:
        engine.dispose()
    return url if count == persons else None


def prewarm(url: str) -> str:
    """Read every table and index of the graph into the operating system's page cache
    (`pg_prewarm`, mode `read`), so that runs measure a database whose working set is in
    memory, as a server's is in steady state, not the disk reads of whichever keys a run
    happens to draw first. Says what it did (or why it could not)."""
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    started = time.perf_counter()
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
            blocks = connection.scalar(
                text(
                    "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i', 't')"
                )
            )
    except DBAPIError as exc:
        return f"database not prewarmed ({type(exc.orig).__name__}: {exc.orig})"
    finally:
        engine.dispose()
    megabytes = int(blocks or 0) * 8192 / 2**20
    return f"database prewarmed: {megabytes:.0f} MB read in {time.perf_counter() - started:.1f} s"


def issue_bench_key(url: str) -> str:
    """An agency key with every scope and no territory (it reads every person, so the
    compiled path answers whole selections) in the bench database, hashed with a pepper
    this run sets for its servers (`HUB_API_KEY_PEPPER` in the environment they inherit)."""
    import secrets
    from datetime import UTC, datetime

    from hub.access.keys import KeySpec, create_key
    from hub.api.principal import SCOPES, Role
    from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database

    pepper = os.environ.setdefault("HUB_API_KEY_PEPPER", secrets.token_hex(32))
    upgrade_database(url)
    engine = create_hub_engine(url)
    spec = KeySpec(owner="bench", role=Role.AGENCY, scopes=SCOPES)
    try:
        with create_session_factory(engine)() as session, session.begin():
            text = create_key(session, spec, pepper.encode(), datetime.now(UTC))
    finally:
        engine.dispose()
    return str(text)
