"""The settings a pipeline run needs, checked before it starts, in one message.

Dagster resolves each resource's `EnvVar` only when a run starts and reports each missing
one in its own error inside a long traceback. `missing_settings` names them all at once, and
`SettingsMissingError` says how to set them: in the environment, or in a `.env` file in the
folder Dagster runs from (Dagster reads it; `hub env > .env` writes the demo world's).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from dotenv import dotenv_values

from connectors.settings import (
    BANK_KEY_VARIABLE,
    BANK_URL_VARIABLE,
    FOLDER_VARIABLES,
    TAX_TOKEN_VARIABLE,
    TAX_URL_VARIABLE,
)
from hub.config import ConfigurationError

REQUIRED: Final = (
    *FOLDER_VARIABLES.values(),
    TAX_URL_VARIABLE,
    TAX_TOKEN_VARIABLE,
    BANK_URL_VARIABLE,
    BANK_KEY_VARIABLE,
)


class SettingsMissingError(ConfigurationError):
    """Settings a run needs are not set; the message lists every one and how to set them."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"{len(missing)} setting(s) a pipeline run needs are not set: "
            f"{', '.join(missing)}. Set them in the environment, or in a .env file in the "
            "project's folder (Dagster and the hub read it): `.tools/bin/uv run hub env > .env` "
            "writes the sandbox demo world's settings (see contracts/SOURCES.md for each "
            "variable's meaning)."
        )


def environment_with_dotenv(
    folder: Path, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`environ` (default: the process's) over the `.env` file in `folder`, as Dagster reads
    it: a variable already set wins over the file."""
    env = dict(os.environ if environ is None else environ)
    dotenv = folder / ".env"
    if dotenv.is_file():
        for name, value in dotenv_values(dotenv).items():
            if value is not None:
                env.setdefault(name, value)
    return env


def missing_settings(environ: Mapping[str, str]) -> list[str]:
    """The REQUIRED variables that `environ` leaves unset or blank, in REQUIRED's order."""
    return [name for name in REQUIRED if not environ.get(name, "").strip()]


def check_settings(environ: Mapping[str, str]) -> None:
    """Raise SettingsMissingError naming every REQUIRED variable `environ` lacks."""
    missing = missing_settings(environ)
    if missing:
        raise SettingsMissingError(missing)
