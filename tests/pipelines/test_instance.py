"""Dagster's instance storage: SQLite under DAGSTER_HOME by default, PostgreSQL by environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, asset, materialize

from hub.config import ConfigurationError
from pipelines.instance import POSTGRES_VARIABLE, instance_settings, prepare_dagster_home


@asset
def heartbeat() -> int:
    return 1


def _run_once(instance: DagsterInstance) -> None:
    assert materialize([heartbeat], instance=instance).success
    runs = instance.get_runs()
    assert [r.status for r in runs] == [DagsterRunStatus.SUCCESS]


def test_default_instance_keeps_runs_in_sqlite_under_dagster_home(tmp_path: Path) -> None:
    home = prepare_dagster_home(tmp_path / "dagster_home", environ={})
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        _run_once(instance)
    assert (home / "storage" / "history" / "runs.db").exists()
    # A second instance on the same home sees the same history.
    with DagsterInstance.from_config(str(home)) as again:
        assert len(again.get_runs()) == 1


@pytest.mark.postgres
def test_postgres_instance_keeps_runs_in_the_real_server(
    tmp_path: Path, empty_postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = empty_postgres_database.replace("postgresql://", "postgresql+psycopg2://")
    monkeypatch.setenv(POSTGRES_VARIABLE, url)
    home = prepare_dagster_home(tmp_path / "dagster_home")
    assert "postgres" in (home / "dagster.yaml").read_text()
    assert url not in (home / "dagster.yaml").read_text()
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        _run_once(instance)
    with DagsterInstance.from_config(str(home)) as again:
        assert len(again.get_runs()) == 1


def test_a_non_postgres_url_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match=POSTGRES_VARIABLE):
        instance_settings({POSTGRES_VARIABLE: "mysql://root@localhost/x"})
    with pytest.raises(ConfigurationError, match="psycopg2"):
        instance_settings({POSTGRES_VARIABLE: "postgresql://postgres@127.0.0.1/x"})
