"""Running the pipelines by hand: one message for missing settings, a ready .env, quiet
progress, nothing written outside data/ (issue 17)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import yaml
from dagster import (
    AssetCheckResult,
    DagsterInstance,
    Failure,
    MaterializeResult,
    asset,
    asset_check,
)
from dagster import materialize as dagster_materialize
from dotenv import dotenv_values

from hub.config import PROJECT_ROOT
from pipelines.instance import instance_settings, prepare_dagster_home
from pipelines.job_progress import SHOWN_EVENTS, JobProgress
from pipelines.preflight import REQUIRED, environment_with_dotenv, missing_settings

HUB = str(Path(sys.executable).parent / "hub")


def _bare_environment(**extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "SYSTEMROOT")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, **extra}


def test_hub_run_without_settings_prints_one_message_naming_all_and_writes_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    result = subprocess.run(
        [HUB, "run"],
        cwd=tmp_path,
        env=_bare_environment(HUB_DATA_DIR=str(data)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for name in REQUIRED:
        assert name in lines[0]
    assert "hub env > .env" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


def test_hub_env_prints_a_dotenv_that_satisfies_every_setting(tmp_path: Path) -> None:
    result = subprocess.run(
        [HUB, "env", "--agencies-port", "9123"],
        env=_bare_environment(HUB_DATA_DIR=str(tmp_path / "data")),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (tmp_path / ".env").write_text(result.stdout, encoding="utf-8")
    values = {k: v or "" for k, v in dotenv_values(tmp_path / ".env").items()}
    assert missing_settings(values) == []
    assert values["HUB_TAX_API_URL"] == "http://127.0.0.1:9123/tax"
    assert values["DAGSTER_HOME"] == str((tmp_path / "data" / "dagster_home").resolve())
    # A variable set in the environment wins over the file, as with Dagster.
    merged = environment_with_dotenv(tmp_path, {"HUB_TAX_API_TOKEN": "mine"})
    assert merged["HUB_TAX_API_TOKEN"] == "mine"
    assert merged["HUB_BANK_API_KEY"] == values["HUB_BANK_API_KEY"]


def test_a_dagster_started_without_a_home_keeps_its_storage_under_data() -> None:
    template = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text(encoding="utf-8"))
    base_dir = Path(template["storage"]["sqlite"]["base_dir"])
    assert not base_dir.is_absolute()
    assert base_dir.parts[0] == "data"
    assert template["nux"] == {"enabled": False}
    assert template["telemetry"] == {"enabled": False}


def test_a_prepared_home_keeps_its_storage_inside_itself(tmp_path: Path) -> None:
    home = prepare_dagster_home(tmp_path / "home", environ={})
    written = yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8"))
    assert written["storage"]["sqlite"]["base_dir"] == str((home / "storage").resolve())
    assert written["nux"] == instance_settings({})["nux"]


@asset
def counted() -> MaterializeResult[None]:
    return MaterializeResult(metadata={"delivered": 5, "accepted": 4, "source": "x"})


@asset_check(asset=counted)
def counted_is_fine() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset_check(asset=counted)
def counted_is_stale() -> AssetCheckResult:
    return AssetCheckResult(passed=False)


@asset
def broken() -> None:
    raise ValueError("the agency sent nothing readable")


@asset
def refused() -> None:
    raise Failure(description="tax is unavailable: 503")


def test_progress_prints_one_line_per_asset_with_counts_and_each_failure() -> None:
    with DagsterInstance.ephemeral() as instance:
        result = dagster_materialize(
            [counted, counted_is_fine, counted_is_stale, broken, refused],
            instance=instance,
            raise_on_error=False,
        )
        entries = instance.all_logs(result.run_id, of_type=SHOWN_EVENTS)
    progress = JobProgress()
    lines = [line for entry in entries if (line := progress.line(entry)) is not None]
    out = io.StringIO("\n".join(lines))
    assert "  done    counted                delivered=5 accepted=4" in out.getvalue()
    assert "  FAILED  broken                 the agency sent nothing readable" in lines
    assert "  FAILED  refused                tax is unavailable: 503" in lines
    assert "  check   counted:counted_is_stale failed" in lines
    assert (progress.materialized, progress.checks_passed) == (1, 1)
    assert sorted(progress.failed_steps) == ["broken", "refused"]
    assert len(lines) == 4
