"""The `sandbox` command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sandbox.cli import app


def test_generate_writes_a_world_with_the_chosen_noise(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", str(tmp_path / "w"), "--people", "800", "--seed", "2", "--noise", "none"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "w/world.json").read_text())
    assert manifest["seed"] == 2
    assert manifest["noise"]["pinfl_missing"] == 0.0
    assert sum(manifest["corrupt_rows"].values()) == 0
    assert "survey" in result.output


def test_generate_refuses_an_unknown_noise_preset(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", str(tmp_path / "w"), "--people", "800", "--noise", "loud"]
    )
    assert result.exit_code != 0
    assert not (tmp_path / "w").exists()
