"""The demo's world is dated in the year before the day it runs, is reused by later runs, and
a kept world dated in another year is reported, not silently mixed with a new one."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipelines.demo import DemoError, DemoSettings, DemoWorld, _announce, ensure_world
from sandbox.generate import WorldManifest

SMALL = DemoSettings(people=300)


def test_a_new_demo_world_is_dated_in_the_year_before_today(tmp_path: Path) -> None:
    world = ensure_world(tmp_path / "world", SMALL, today=date(2026, 12, 3))

    assert world == DemoWorld(tmp_path / "world", 2025)
    assert WorldManifest.read(tmp_path / "world").reference_on == "2025-01-01"
    assert (tmp_path / "world/survey/survey_2025-01.jsonl").is_file()


def test_the_first_of_january_moves_the_choice_to_the_year_just_ended(tmp_path: Path) -> None:
    world = ensure_world(tmp_path / "world", SMALL, today=date(2027, 1, 1))
    assert world.base_year == 2026


def test_a_second_run_in_the_same_year_reuses_the_world(tmp_path: Path) -> None:
    ensure_world(tmp_path / "world", SMALL, today=date(2026, 3, 1))
    manifest = tmp_path / "world/world.json"
    written = manifest.stat().st_mtime_ns
    (tmp_path / "world/survey/survey_2025-01.jsonl").unlink()  # regenerating would restore it

    again = ensure_world(tmp_path / "world", SMALL, today=date(2026, 12, 31))

    assert again == DemoWorld(tmp_path / "world", 2025)
    assert manifest.stat().st_mtime_ns == written
    assert not (tmp_path / "world/survey/survey_2025-01.jsonl").exists()


def test_a_world_kept_from_an_earlier_year_is_reported_and_left_alone(tmp_path: Path) -> None:
    ensure_world(tmp_path / "world", SMALL, today=date(2026, 5, 1))

    later = ensure_world(tmp_path / "world", SMALL, today=date(2028, 2, 1))

    assert later.base_year == 2025
    assert later.notice is not None
    assert "is dated 2025; a fresh demo would date it 2027" in later.notice
    assert f"remove {tmp_path}" in later.notice
    assert not list((tmp_path / "world").rglob("*2027*"))


def test_the_base_year_can_be_chosen_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    chosen = DemoSettings(people=300, base_year=2019)
    assert ensure_world(tmp_path / "a", chosen, today=date(2026, 12, 3)).base_year == 2019

    with pytest.raises(
        DemoError, match=re.escape("--base-year: Base year 1990 is outside 2000..2099")
    ):
        ensure_world(tmp_path / "b", DemoSettings(people=300, base_year=1990))
    assert not (tmp_path / "b").exists()


def test_the_banner_names_the_worlds_year_and_the_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _announce(
        DemoSettings(), DemoWorld(tmp_path / "world", 2025), None, tmp_path / "logs", [], tmp_path
    )
    quiet = capsys.readouterr().out
    assert f"sandbox world           {tmp_path / 'world'}, dated 2025" in quiet
    assert "NOTE:" not in quiet
    assert f"monthly region reports  {tmp_path / 'index.html'}" in quiet

    kept = DemoWorld(tmp_path / "world", 2024, "the sandbox world ... is dated 2024")
    _announce(DemoSettings(), kept, None, tmp_path / "logs", [], tmp_path)
    assert "NOTE: the sandbox world ... is dated 2024" in capsys.readouterr().out
