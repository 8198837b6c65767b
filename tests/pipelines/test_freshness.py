"""Freshness is judged by when a source last delivered something new (issue 17, item 3):
a source that has just delivered is fresh whatever its data's dates (a fresh demo is
green), and a source that has delivered nothing new for longer than its window stays
failed, an empty rerun included (no green `rows=0`). On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dagster import AssetCheckResult, build_asset_check_context
from sqlalchemy import update

from hub.config import ConfigurationError
from hub.graph.models import Delivery
from pipelines import freshness
from pipelines.checks import QUALITY_CHECKS
from pipelines.resources import HubDatabase
from pipelines.settings import SOURCE_NAMES, load_pipeline_settings
from pipelines.sources import SOURCES
from tests.pipelines.record_deliveries import (
    OnePageAgency,
    api_body,
    employment_file,
    employment_row,
    loan,
    registered_hub,
    run_api,
    run_files,
)


@pytest.fixture
def hub(graph_db, tmp_path: Path) -> HubDatabase:  # type: ignore[no-untyped-def]
    return registered_hub(graph_db.url, tmp_path)


def _age_deliveries(hub: HubDatabase, source: str, days: int) -> None:
    """Pretend the source's deliveries so far were read `days` ago."""
    with hub.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.source == source)
            .values(started_at=datetime.now(UTC) - timedelta(days=days))
        )


def _check(hub: HubDatabase, source: str) -> AssetCheckResult:
    (check,) = [
        c
        for c in QUALITY_CHECKS
        if any(
            k.name == "delivered_recently" and k.asset_key.path == [f"raw_{source}"]
            for k in c.check_keys
        )
    ]
    result = check(build_asset_check_context(resources={"hub_db": hub}))
    assert isinstance(result, AssetCheckResult)
    return result


def test_a_source_that_just_delivered_old_records_is_fresh(hub: HubDatabase) -> None:
    run_api(hub, OnePageAgency("bank", api_body("bank", [loan(1, issued_on="2022-04-11")])))

    result = _check(hub, "bank")
    assert result.passed
    assert result.metadata["window_days"].value == 45


def test_a_rerun_that_reads_nothing_new_leaves_a_stale_source_failed(hub: HubDatabase) -> None:
    look_back = OnePageAgency("bank", api_body("bank", [loan(1), loan(2)]))
    run_api(hub, look_back)
    _age_deliveries(hub, "bank", 50)
    run_api(hub, look_back)  # the same look-back again: nothing newer than the cursor

    result = _check(hub, "bank")
    assert not result.passed
    assert "nothing new for 50.0 days, longer than its window of 45 days" in str(result.description)


def test_a_new_file_after_a_long_silence_makes_the_source_fresh_again(
    hub: HubDatabase, tmp_path: Path
) -> None:
    folder = tmp_path / "employment"
    employment_file(folder, [employment_row(1)], "employment_2022-02.csv")
    run_files(hub, "employment", folder)
    _age_deliveries(hub, "employment", 50)
    run_files(hub, "employment", folder)  # nothing new in the folder
    assert not _check(hub, "employment").passed

    employment_file(folder, [employment_row(2)], "employment_2022-03.csv")
    run_files(hub, "employment", folder)
    assert _check(hub, "employment").passed


def test_a_source_that_never_delivered_is_not_fresh(hub: HubDatabase) -> None:
    with hub.session() as session:
        found = freshness.judge(session, "land", 45)
    assert not found.fresh
    assert found.description() == "land has not delivered anything yet"


def test_the_window_is_set_per_source(hub: HubDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    run_api(hub, OnePageAgency("bank", api_body("bank", [loan(1)])))
    _age_deliveries(hub, "bank", 50)
    monkeypatch.setenv("HUB_FRESHNESS_DAYS_BANK", "60")

    assert _check(hub, "bank").passed
    assert load_pipeline_settings({}).freshness_window("tax") == 45


@pytest.mark.parametrize("value", ["0", "-3", "weekly"])
def test_a_bad_freshness_window_is_refused_at_start_up(value: str) -> None:
    with pytest.raises(ConfigurationError, match=f"HUB_FRESHNESS_DAYS_LAND has value '{value}'"):
        load_pipeline_settings({"HUB_FRESHNESS_DAYS_LAND": value})


def test_every_source_has_a_freshness_window() -> None:
    assert set(SOURCE_NAMES) == set(SOURCES)
