"""Connector configuration from the environment, validated once, secrets kept out of reprs.

Variable names are those of contracts/SOURCES.md. Every connector also accepts explicit
values (the Dagster resources pass them); these functions are only the environment path.
A missing or invalid value raises `ConfigurationError` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from connectors.errors import ConfigurationError

FOLDER_VARIABLES: dict[str, str] = {
    "registry": "HUB_REGISTRY_DIR",
    "survey": "HUB_SURVEY_DIR",
    "employment": "HUB_EMPLOYMENT_DIR",
    "land": "HUB_LAND_DIR",
    "appeals": "HUB_APPEALS_DIR",
}
TAX_URL_VARIABLE = "HUB_TAX_API_URL"
TAX_TOKEN_VARIABLE = "HUB_TAX_API_TOKEN"
BANK_URL_VARIABLE = "HUB_BANK_API_URL"
BANK_KEY_VARIABLE = "HUB_BANK_API_KEY"


class Secret:
    """A credential that never shows itself in `repr`, `str` or logs; `reveal()` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _read(variable: str, source: str, environ: Mapping[str, str] | None) -> str:
    env = os.environ if environ is None else environ
    value = env.get(variable, "").strip()
    if not value:
        raise ConfigurationError(source, f"{variable} is not set.", variable)
    return value


def check_folder(source: str, folder: Path | str, variable: str | None = None) -> Path:
    """The folder as a Path, if it exists and is a directory."""
    path = Path(folder)
    if not path.is_dir():
        where = f" (from {variable})" if variable else ""
        raise ConfigurationError(
            source, f"delivery folder '{path}'{where} does not exist or is not a folder.", variable
        )
    return path


def folder_from_env(source: str, environ: Mapping[str, str] | None = None) -> Path:
    """The delivery folder of a file source, from its `HUB_*_DIR` variable."""
    variable = FOLDER_VARIABLES[source]
    return check_folder(source, _read(variable, source, environ), variable)


def check_base_url(source: str, url: str, variable: str) -> str:
    """An absolute http(s) URL without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            source, f"{variable} has value '{url}'. Not an http(s) URL.", variable
        )
    return url.strip().rstrip("/")


def check_secret(source: str, value: str | Secret, variable: str) -> Secret:
    secret = value if isinstance(value, Secret) else Secret(value.strip())
    if not secret.reveal():
        raise ConfigurationError(source, f"{variable} is empty.", variable)
    return secret


def api_from_env(
    source: str, url_variable: str, secret_variable: str, environ: Mapping[str, str] | None
) -> tuple[str, Secret]:
    """Base URL and credential of an API source from its two variables."""
    url = check_base_url(source, _read(url_variable, source, environ), url_variable)
    return url, Secret(_read(secret_variable, source, environ))
