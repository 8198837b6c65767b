"""Noise stays inside the contract: only deliberate corruption makes a row unreadable.

Noise may blank what contracts/SOURCES.md lets a source leave empty (a survey member's
birth date, an employment ПИНФЛ, a bank borrower's passport, ...); a required field is broken
only by the corrupter, which lists each row it breaks in truth/corrupt_rows.csv. So with
corrupt_rate=0 the strict reader must accept every delivered row, however heavy the noise.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from sandbox.generate import WorldManifest

UnreadableRows = Callable[[Path], set[tuple[str, int]]]


def test_noise_without_corruption_produces_no_row_a_strict_reader_rejects(
    noise_only_world: Path, unreadable_rows: UnreadableRows
) -> None:
    assert WorldManifest.read(noise_only_world).corrupt_rows == dict.fromkeys(
        ("registry", "survey", "tax", "employment", "land", "bank", "appeals"), 0
    )
    assert sorted(unreadable_rows(noise_only_world)) == []


def test_noise_blanks_the_optional_fields_of_every_source(noise_only_world: Path) -> None:
    counts = WorldManifest.read(noise_only_world).noise_counts
    for source in ("survey", "tax", "employment", "bank", "appeals"):
        assert counts[source]["pinfl_missing"] > 0, source
    for source in ("survey", "tax", "bank"):
        assert counts[source]["birth_date_missing"] > 0, source
    for source in ("tax", "employment", "bank"):
        assert counts[source]["mahalla_missing"] > 0, source
    assert "birth_date_missing" not in counts["employment"], "Дата рождения is required"
    assert "pinfl_missing" not in counts["land"], "a person lessee's pinfl is set"


def _blank_employment_birth_date(path: Path) -> None:
    content = io.StringIO(path.read_bytes().decode("cp1251"), newline="")
    rows = list(csv.reader(content, delimiter=";"))
    rows[1][3] = ""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("cp1251"))


def _null_survey_assistant(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["assistant_id"] = None
    lines[1] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_strict_reader_rejects_a_blank_in_a_field_noise_must_not_blank(
    noise_only_world: Path, unreadable_rows: UnreadableRows, tmp_path: Path
) -> None:
    world = tmp_path / "world"
    shutil.copytree(noise_only_world, world, ignore=shutil.ignore_patterns("truth"))
    employment = sorted((world / "employment").glob("employment_*.csv"))[0]
    survey = sorted((world / "survey").glob("survey_*.jsonl"))[0]
    _blank_employment_birth_date(employment)
    _null_survey_assistant(survey)
    assert unreadable_rows(world) == {
        (employment.relative_to(world).as_posix(), 1),
        (survey.relative_to(world).as_posix(), 2),
    }
