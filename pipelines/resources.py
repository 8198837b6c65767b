"""Dagster resources: the hub database (with its landing store) and the seven agencies.

Every setting has an environment variable (secrets through `EnvVar`, never logged); the
defaults are the embedded set-up: a SQLite file and landing folder under `data/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource
from pydantic import PrivateAttr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from connectors.bank import BankApiConnector
from connectors.file_source import FileConnector
from connectors.http_fetch import RetryPolicy
from connectors.tax import TaxApiConnector
from hub.config import load_settings
from hub.graph.base import Base
from hub.graph.database import create_hub_engine, create_session_factory, upgrade_database
from hub.graph.models import Mahalla
from hub.graph.upkeep import keep_up, own_changes
from pipelines.landing.store import LandingStore
from pipelines.settings import DEFAULT_LAND_MAX_ENDED_SHARE, DEFAULT_SETTLE_SECONDS


class HubDatabase(ConfigurableResource):  # type: ignore[type-arg]
    """The graph database (`HUB_DATABASE_URL`) and the landing store beside it.

    `land_max_ended_share`: a land snapshot that would end more than this share of the
    current leases is held for an engineer's confirmation (`HUB_LAND_MAX_ENDED_SHARE`).
    """

    database_url: str = ""
    landing_dir: str = ""
    reports_dir: str = ""
    land_max_ended_share: float = DEFAULT_LAND_MAX_ENDED_SHARE

    _engine: Engine | None = PrivateAttr(default=None)

    def url(self) -> str:
        return self.database_url or load_settings().database_url

    def landing(self) -> LandingStore:
        root = Path(self.landing_dir) if self.landing_dir else load_settings().data_dir / "landing"
        return LandingStore(root)

    def reports(self) -> Path:
        """Where the regional reports go (default `<HUB_DATA_DIR>/reports`)."""
        return Path(self.reports_dir) if self.reports_dir else load_settings().data_dir / "reports"

    def engine(self) -> Engine:
        if self._engine is None:
            upgrade_database(self.url())
            self._engine = create_hub_engine(self.url())
        return self._engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed when the block ends, rolled back on error."""
        factory = create_session_factory(self.engine())
        with factory() as session, session.begin():
            yield session

    @contextmanager
    def load_session(self) -> Iterator[Session]:
        """`session` for a load: once committed, the tables it changed get the upkeep
        autovacuum would give them, at once (hub.graph.upkeep)."""
        with self.session() as session:
            yield session
            session.flush()
            changes = own_changes(session.connection(), Base.metadata.tables)
        keep_up(self.engine(), changes)

    def known_mahallas(self) -> frozenset[str]:
        with self.session() as session:
            return frozenset(session.scalars(select(Mahalla.code)))


class FolderAgency(ConfigurableResource):  # type: ignore[type-arg]
    """A source delivered as files in `folder`; a file is taken once it has settled for
    `settle_seconds` or since the previous look (pipelines/landing/settling.py)."""

    folder: str
    settle_seconds: float = DEFAULT_SETTLE_SECONDS

    def connector(self, connector_type: type[FileConnector[Any]]) -> FileConnector[Any]:
        return connector_type(self.folder)


class TaxAgency(ConfigurableResource):  # type: ignore[type-arg]
    """The tax API (`HUB_TAX_API_URL`, `HUB_TAX_API_TOKEN`)."""

    base_url: str
    token: str
    page_size: int = 1000
    max_attempts: int = 5
    base_delay_seconds: float = 0.5

    def connector(self) -> TaxApiConnector:
        retry = RetryPolicy(max_attempts=self.max_attempts, base_delay=self.base_delay_seconds)
        return TaxApiConnector(self.base_url, self.token, page_size=self.page_size, retry=retry)


class BankAgency(ConfigurableResource):  # type: ignore[type-arg]
    """The bank gateway (`HUB_BANK_API_URL`, `HUB_BANK_API_KEY`).

    Loans change status long after they are issued, so an incremental load asks again for
    everything issued in the `lookback_days` before the last loaded issue date.
    """

    base_url: str
    api_key: str
    page_size: int = 500
    max_attempts: int = 5
    base_delay_seconds: float = 0.5
    lookback_days: int = 365

    def connector(self) -> BankApiConnector:
        retry = RetryPolicy(max_attempts=self.max_attempts, base_delay=self.base_delay_seconds)
        return BankApiConnector(self.base_url, self.api_key, page_size=self.page_size, retry=retry)

    def issued_from(self, cursor: date | None) -> date | None:
        return None if cursor is None else cursor - timedelta(days=self.lookback_days)
