"""The model is a versioned JSON file: saved, loaded back equal, newest version found."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.identity.linkage import LinkageModel, ModelFileError, load_latest_model
from hub.identity.linkage.model import MODELS_DIR, model_versions, next_model_path


def test_a_saved_model_loads_back_with_the_same_version_and_settings(tmp_path: Path) -> None:
    shipped = load_latest_model()
    path = tmp_path / "person_v7.json"
    shipped.save(path)
    again = LinkageModel.load(path)
    assert again == shipped
    assert again.settings["comparisons"][0]["output_column_name"] == "pinfl"


def test_the_latest_version_in_a_folder_is_loaded_and_the_next_numbered(tmp_path: Path) -> None:
    for number in (1, 2, 10):
        LinkageModel(f"person_v{number}", {"comparisons": []}).save(
            tmp_path / f"person_v{number}.json"
        )
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    assert [n for n, _ in model_versions(tmp_path)] == [1, 2, 10]
    assert load_latest_model(tmp_path).version == "person_v10"
    assert next_model_path(tmp_path).name == "person_v11.json"


def test_the_repository_ships_at_least_one_model() -> None:
    assert model_versions(MODELS_DIR)


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "cannot read it"), ('{"model_version": "x"}', "no 'splink_settings'")],
)
def test_a_file_that_is_not_a_model_is_refused_by_name(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "person_v3.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelFileError, match=message) as raised:
        LinkageModel.load(path)
    assert "person_v3.json" in str(raised.value)


def test_an_empty_models_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="No linkage model"):
        load_latest_model(tmp_path)


def test_reblock_writes_a_new_version_with_the_latest_parameters_and_settings_blocking(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from hub.cli import app
    from hub.identity.linkage.settings import BLOCKING_RULES

    target = tmp_path / "person_v9.json"
    result = CliRunner().invoke(app, ["linkage", "reblock", "--out", str(target)])
    assert result.exit_code == 0, result.output
    written, latest = LinkageModel.load(target), load_latest_model()
    assert written.version == "person_v9"
    blocking = written.settings.pop("blocking_rules_to_generate_predictions")
    assert [rule["blocking_rule"] for rule in blocking] == BLOCKING_RULES
    latest.settings.pop("blocking_rules_to_generate_predictions")
    assert written.settings == latest.settings


def test_the_shipped_model_blocks_with_the_rules_settings_declares() -> None:
    from hub.identity.linkage.settings import BLOCKING_RULES

    shipped = load_latest_model().settings["blocking_rules_to_generate_predictions"]
    assert [rule["blocking_rule"] for rule in shipped] == BLOCKING_RULES


def test_reblock_adds_the_fixed_m_comparisons_an_older_model_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from hub.cli import app
    from hub.identity.linkage import model as model_module

    shipped = load_latest_model()
    kept = [c for c in shipped.settings["comparisons"] if c["output_column_name"] != "surveyed"]
    older = LinkageModel("person_v2", {**shipped.settings, "comparisons": kept})
    monkeypatch.setattr(model_module, "load_latest_model", lambda: older)
    target = tmp_path / "person_v9.json"
    result = CliRunner().invoke(app, ["linkage", "reblock", "--out", str(target)])
    assert result.exit_code == 0, result.output
    names = [c["output_column_name"] for c in LinkageModel.load(target).settings["comparisons"]]
    assert names == [c["output_column_name"] for c in kept] + ["surveyed"]
    surveyed = LinkageModel.load(target).settings["comparisons"][-1]
    assert all(level.get("fix_m_probability") for level in surveyed["comparison_levels"][1:])
