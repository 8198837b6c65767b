"""The trained linkage model: a versioned Splink settings JSON kept in the repository.

Models live in ``hub/identity/linkage/models/person_v<N>.json``; the newest version is
loaded at run time unless a caller passes one. ``hub linkage train`` writes the next version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

MODELS_DIR: Final = Path(__file__).parent / "models"
_MODEL_FILE: Final = re.compile(r"^person_v(\d+)\.json$")


class ModelFileError(ValueError):
    """A model file is missing or not a linkage model (the caller must pick another file)."""


@dataclass(frozen=True)
class LinkageModel:
    """A Splink settings dictionary (with trained m/u values and prior) and its version."""

    version: str
    settings: dict[str, Any]

    def save(self, path: Path) -> None:
        body = {"model_version": self.version, "splink_settings": self.settings}
        path.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise ModelFileError(f"Linkage model {path.name}: cannot read it ({error}).") from error
        if not isinstance(body, dict) or not isinstance(body.get("splink_settings"), dict):
            raise ModelFileError(f"Linkage model {path.name}: no 'splink_settings' object.")
        return cls(
            version=str(body.get("model_version", path.stem)), settings=body["splink_settings"]
        )


def model_versions(directory: Path = MODELS_DIR) -> list[tuple[int, Path]]:
    """The model files in ``directory`` by version number, oldest first."""
    found = []
    for path in directory.glob("person_v*.json"):
        matched = _MODEL_FILE.match(path.name)
        if matched:
            found.append((int(matched.group(1)), path))
    return sorted(found)


def load_latest_model(directory: Path = MODELS_DIR) -> LinkageModel:
    versions = model_versions(directory)
    if not versions:
        raise ModelFileError(f"No linkage model person_v<N>.json in {directory.name}/.")
    return LinkageModel.load(versions[-1][1])


def next_model_path(directory: Path = MODELS_DIR) -> Path:
    versions = model_versions(directory)
    number = versions[-1][0] + 1 if versions else 1
    return directory / f"person_v{number}.json"
