"""Hub configuration, read from the environment once and validated at start-up.

Every setting has one environment variable; an invalid value stops start-up with a
message that names the variable and the value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class ConfigurationError(ValueError):
    """A setting in the environment is missing or invalid; the message names the variable."""


@dataclass(frozen=True, slots=True)
class HubSettings:
    """The settings of the hub itself (the agencies' settings live with the connectors)."""

    database_url: str
    data_dir: Path
    # A streaming replica of `database_url` the API reads from (`hub.api.read_routing`);
    # None: the API reads from `database_url` too.
    database_read_url: str | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'hub.sqlite3'}"


def load_settings(environ: dict[str, str] | None = None) -> HubSettings:
    """Read `HUB_DATA_DIR`, `HUB_DATABASE_URL` and `HUB_DATABASE_READ_URL`; raise
    ConfigurationError when invalid."""
    env = dict(os.environ) if environ is None else environ
    data_dir = Path(env.get("HUB_DATA_DIR") or DEFAULT_DATA_DIR)
    url = _database_url("HUB_DATABASE_URL", env.get("HUB_DATABASE_URL") or "", data_dir)
    read_url = env.get("HUB_DATABASE_READ_URL", "").strip() or None
    if read_url is not None:
        read_url = _database_url("HUB_DATABASE_READ_URL", read_url, data_dir)
        # A replica is a PostgreSQL feature; SQLite has no server to stream from.
        if not (read_url.startswith("postgresql") and url.startswith("postgresql")):
            raise ConfigurationError(
                f"HUB_DATABASE_READ_URL has value '{make_url(read_url)!r}'. A read replica needs "
                "PostgreSQL both there and in HUB_DATABASE_URL."
            )
    return HubSettings(database_url=url, data_dir=data_dir, database_read_url=read_url)


def _database_url(name: str, url: str, data_dir: Path) -> str:
    """`url` (default: the data folder's SQLite file) checked, with PostgreSQL on psycopg 3."""
    url = url or default_database_url(data_dir)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"{name} has value {url!r}. Not a valid SQLAlchemy URL: {exc}"
        ) from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigurationError(
            f"{name} has backend {parsed.get_backend_name()!r}. "
            "The hub runs on 'sqlite' or 'postgresql'."
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url
