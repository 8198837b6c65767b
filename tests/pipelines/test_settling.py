"""When a delivered file counts as complete, and when the folder sensor starts a run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.file_source import FileDelivery
from hub.config import ConfigurationError
from pipelines.automation import next_folder_step
from pipelines.landing.settling import LookLog, look_of, split_settled
from pipelines.settings import load_pipeline_settings

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _file(name: str, size: int, age: timedelta) -> FileDelivery:
    return FileDelivery(name, Path(name), size, NOW - age)


def test_a_fresh_file_waits_unless_it_looked_the_same_last_time() -> None:
    fresh = _file("leases_2022-12-01.xml", 100, timedelta(seconds=5))
    assert split_settled([fresh], {}, NOW, MINUTE).changing == [fresh]
    grown = {fresh.name: (50, fresh.modified_at.isoformat())}
    assert split_settled([fresh], grown, NOW, MINUTE).changing == [fresh]
    same = {fresh.name: look_of(fresh)}
    assert split_settled([fresh], same, NOW, MINUTE).settled == [fresh]


def test_a_file_quiet_for_the_settle_time_is_settled_and_order_is_kept() -> None:
    old = _file("a.csv", 1, 2 * MINUTE)
    fresh = _file("b.csv", 1, timedelta(0))
    older = _file("c.csv", 1, 3 * MINUTE)
    found = split_settled([old, fresh, older], {}, NOW, MINUTE)
    assert found.settled == [old, older] and found.changing == [fresh]


def test_the_look_log_keeps_the_last_look_per_source(tmp_path: Path) -> None:
    log = LookLog(tmp_path)
    assert log.previous("land") == {}
    f = _file("leases_2022-12-01.xml", 7, MINUTE)
    log.save("land", [f])
    assert log.previous("land") == {f.name: look_of(f)}
    assert log.previous("survey") == {}


def test_the_folder_sensor_starts_a_run_only_after_two_equal_ticks() -> None:
    cursor, start = next_folder_step(None, "s1")
    assert not start
    cursor, start = next_folder_step(cursor, "s2")  # still being written
    assert not start
    cursor, start = next_folder_step(cursor, "s2")
    assert start
    cursor, start = next_folder_step(cursor, "s2")  # nothing new since that run
    assert not start
    # A cursor of the former sensor (a bare signature) starts over.
    assert next_folder_step("abc", "abc") == ('{"seen": "abc", "ran": null}', False)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUB_FILE_SETTLE_SECONDS", "-1"),
        ("HUB_FILE_SETTLE_SECONDS", "soon"),
        ("HUB_LAND_MAX_ENDED_SHARE", "1.5"),
        ("HUB_LAND_MAX_ENDED_SHARE", "nan"),
    ],
)
def test_a_bad_safeguard_setting_is_refused_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{variable} has value '{value}'"):
        load_pipeline_settings({variable: value})


def test_safeguard_settings_default_and_read_the_environment() -> None:
    assert load_pipeline_settings({}).settle_seconds == 60
    assert load_pipeline_settings({}).land_max_ended_share == 0.2
    read = load_pipeline_settings(
        {"HUB_FILE_SETTLE_SECONDS": "0", "HUB_LAND_MAX_ENDED_SHARE": "0.5"}
    )
    assert (read.settle_seconds, read.land_max_ended_share) == (0, 0.5)
