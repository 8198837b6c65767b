"""The Dagster instance's home: SQLite by default, PostgreSQL when the environment says so.

`prepare_dagster_home` writes `<home>/dagster.yaml` from the repository's `dagster.yaml`,
swapping its storage for `dagster-postgres` when `HUB_DAGSTER_POSTGRES_URL` is set (the URL
is referenced as an environment variable, never written into the file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from hub.config import PROJECT_ROOT, ConfigurationError

POSTGRES_VARIABLE = "HUB_DAGSTER_POSTGRES_URL"
TEMPLATE = PROJECT_ROOT / "dagster.yaml"


def instance_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    url = env.get(POSTGRES_VARIABLE)
    if url is not None:
        if not url.startswith("postgresql+psycopg2://"):
            # dagster-postgres speaks psycopg2, while SQLAlchemy 2.1 maps a bare
            # postgresql:// to psycopg 3, whose parameter style Dagster's NOTIFY breaks.
            raise ConfigurationError(
                f"{POSTGRES_VARIABLE} has value {url.split('@')[-1]!r}. "
                "Give a postgresql+psycopg2://user@host:port/database URL "
                "(dagster-postgres needs the psycopg2 driver)."
            )
        settings["storage"] = {"postgres": {"postgres_url": {"env": POSTGRES_VARIABLE}}}
    return settings


def prepare_dagster_home(home: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Create `home` with its dagster.yaml; returns the home (to put in DAGSTER_HOME)."""
    home.mkdir(parents=True, exist_ok=True)
    settings = instance_settings(environ)
    sqlite = settings.get("storage", {}).get("sqlite")
    if sqlite is not None:
        # The template's relative base_dir serves a Dagster started without a home; this
        # home keeps its storage inside itself, wherever Dagster is started from.
        sqlite["base_dir"] = str((home / "storage").resolve())
    (home / "dagster.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return home
