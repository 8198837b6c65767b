"""A world generated in another base year is dated in that year throughout: file names,
record ids, every date, still exactly the contract's formats (issue 17: the demo's world is
dated relative to the day it runs)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.generate import WorldManifest, generate_world, noise_preset
from sandbox.generate.dating import WorldDates

UnreadableRows = Callable[[Path], set[tuple[str, int]]]
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DOTTED_DAY = re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{4})(?!\d)")
_LEASE_END = re.compile(r' end="[^"]*"')


@pytest.fixture(scope="module")
def world_2025(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world_2025")
    generate_world(out, 2500, seed=7, noise=noise_preset("default", 0.02), base_year=2025)
    return out


def _lines(path: Path) -> list[dict[str, object]]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue  # a row the generator broke on purpose
    return records


def _delivered_days(world: Path) -> list[date]:
    """Every calendar day written in the deliveries and API data, except a lease's agreed
    end (years ahead by nature) and rows broken on purpose (02-30 and the like)."""
    days = []
    for path in sorted(world.rglob("*")):
        if not path.is_file() or path.parts[-2] == "truth" or path.name == "world.json":
            continue
        encoding = "cp1251" if path.suffix == ".csv" and "employment" in path.name else "utf-8"
        text = _LEASE_END.sub("", path.read_text(encoding=encoding))
        found = [(int(y), int(m), int(d)) for y, m, d in _ISO_DAY.findall(text)]
        found += [(int(y), int(m), int(d)) for d, m, y in _DOTTED_DAY.findall(text)]
        for year, month, day in found:
            try:
                days.append(date(year, month, day))
            except ValueError:
                continue
    return days


def test_file_names_carry_the_base_year(world_2025: Path) -> None:
    files = WorldManifest.read(world_2025).files
    assert files["survey"] == [f"survey/survey_2025-{m}.jsonl" for m in ("01", "02", "03", "09")]
    assert files["employment"] == [f"employment/employment_2025-0{m}.csv" for m in range(1, 7)]
    assert files["land"] == ["land/leases_2025-06-01.xml", "land/leases_2025-12-01.xml"]
    assert files["appeals"] == [f"appeals/appeals_2025-Q{q}.jsonl" for q in range(1, 5)]
    assert not list(world_2025.rglob("*2022*"))


def test_the_manifest_records_the_reference_date(world_2025: Path) -> None:
    manifest = WorldManifest.read(world_2025)
    assert manifest.reference_on == "2025-01-01"
    assert manifest.base_year == 2025


def test_record_ids_and_event_dates_are_in_the_base_year(world_2025: Path) -> None:
    loans = _lines(world_2025 / "api/bank/loans.jsonl")
    assert loans and all(
        re.fullmatch(r"\d{5}-2025-\d{6}", str(x["loan_id"])) for x in loans if "loan_id" in x
    )
    assert {str(x["issued_on"])[:4] for x in loans} == {"2025"}
    appeals = [a for path in sorted((world_2025 / "appeals").glob("*.jsonl")) for a in _lines(path)]
    assert all(str(a["appeal_id"]).startswith("AP-2025-") for a in appeals if "appeal_id" in a)
    assert {str(a["received_at"])[:4] for a in appeals if "received_at" in a} == {"2025"}
    taxpayers = _lines(world_2025 / "api/tax/taxpayers.jsonl")
    assert {t["tax_year"] for t in taxpayers} == {2025}
    assert {str(t["updated_at"])[:4] for t in taxpayers} <= {"2025", "2026"}
    surveys = [s for path in sorted((world_2025 / "survey").glob("*.jsonl")) for s in _lines(path)]
    assert {str(s["surveyed_on"])[:7] for s in surveys if "surveyed_on" in s} == {
        "2025-01", "2025-02", "2025-03", "2025-09",
    }  # fmt: skip
    with (world_2025 / "registry/assistants.csv").open(encoding="utf-8", newline="") as f:
        assert {row["appointed_on"][:4] for row in csv.DictReader(f)} == {"2025"}
    employment = (world_2025 / "employment/employment_2025-03.csv").read_text(encoding="cp1251")
    numbers = [line.split(";")[0] for line in employment.splitlines()[1:]]
    assert numbers and all(re.fullmatch(r"E2025-\d{7}", n) for n in numbers)


def test_people_are_born_before_the_reference_date(world_2025: Path) -> None:
    with (world_2025 / "truth/persons.csv").open(encoding="utf-8", newline="") as f:
        births = [date.fromisoformat(row["birth_on"]) for row in csv.DictReader(f)]
    assert max(births) < date(2025, 1, 1)
    assert min(births) >= date(1901, 1, 1)
    assert max(births) >= date(2024, 1, 1)  # babies of the year before


def test_nothing_that_happened_is_dated_after_the_worlds_last_day(world_2025: Path) -> None:
    days = _delivered_days(world_2025)
    last_on = WorldDates(2025).last_on.astype(date)
    assert len(days) > 3_000
    assert max(days) <= last_on
    assert max(days) > date(2026, 1, 1)  # the tax API's revisions run into the next year


@pytest.mark.parametrize("base_year", [2024, 2025])
def test_only_the_rows_broken_on_purpose_break_the_contract(
    base_year: int, world_2025: Path, tmp_path: Path, unreadable_rows: UnreadableRows
) -> None:
    """2024 is a leap year: the dates must still exist and the quarters still split."""
    world = world_2025
    if base_year != 2025:
        world = tmp_path / "world"
        generate_world(
            world, 2500, seed=7, noise=noise_preset("default", 0.02), base_year=base_year
        )
    with (world / "truth/corrupt_rows.csv").open(encoding="utf-8", newline="") as f:
        listed = {(row["file"], int(row["row"])) for row in csv.DictReader(f)}
    assert listed
    assert unreadable_rows(world) == listed


@pytest.mark.parametrize("base_year", [1999, 2100])
def test_a_base_year_the_generator_cannot_date_is_refused(base_year: int, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape(f"Base year {base_year} is outside 2000..2099")):
        generate_world(tmp_path / "w", 500, base_year=base_year)
    assert not (tmp_path / "w").exists()


def test_the_cli_generates_a_world_in_the_base_year_it_is_given(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", str(tmp_path / "w"), "--people", "800", "--base-year", "2031"]
    )
    assert result.exit_code == 0, result.output
    assert "dated 2031" in result.output
    assert WorldManifest.read(tmp_path / "w").reference_on == "2031-01-01"
    assert (tmp_path / "w/land/leases_2031-12-01.xml").is_file()

    refused = CliRunner().invoke(
        app, ["generate", str(tmp_path / "x"), "--people", "800", "--base-year", "1990"]
    )
    assert refused.exit_code != 0
    assert "Base year 1990 is outside 2000..2099" in refused.output
