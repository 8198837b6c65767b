"""Migration 0008 gives the quarantine entries written before it their fingerprint, a count
of 1 and their creation time as last seen, so a rerun after the upgrade updates them rather
than adding entries (issue 17, item 2). On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from connectors.outcomes import Reject as ConnectorReject
from hub.graph.database import create_session_factory, upgrade_database
from pipelines.quarantine import quarantine_unreadable

RAW = '{"loan_id": "L-1", "kind": "gift"}'
OLD = (
    "INSERT INTO reject (source, record_key, stage, rule, reasons, raw, status, created_at) "
    "VALUES ('bank', 'L-1', 'connect', 'enum:kind', '[\"kind\"]', :raw, 'open', "
    "'2026-01-02 03:04:05+00:00')"
)


def _migrated_with_an_old_entry(url: str) -> None:
    upgrade_database(url, "0007")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(OLD), {"raw": RAW})
    engine.dispose()
    upgrade_database(url, "head")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_an_entry_from_before_the_upgrade_is_updated_by_a_rerun(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        url = request.getfixturevalue("empty_postgres_database")
    _migrated_with_an_old_entry(url)
    engine = create_engine(url)
    again = ConnectorReject(
        "bank", "L-1", RAW, "kind 'gift' is not allowed", "offset=0", "enum:kind"
    )
    with create_session_factory(engine)() as session, session.begin():
        quarantine_unreadable(session, None, [again], raw_chars=500)  # type: ignore[arg-type]
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT seen_count, raw FROM reject")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [(2, RAW)]
