"""A case's own small hub: a fresh SQLite graph and landing store in the case's folder, the
mahalla register loaded, and the three steps (land, stage, load) run over a source.

The steps are the pipelines' own (`pipelines.steps`), as each source's job runs them; the
counts a case reports are read back from the hub's `delivery` table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from connectors.registry import ASSISTANT_COLUMNS, MAHALLA_COLUMNS
from hub.graph.models import Delivery, LandLease, Reject
from pipelines.resources import FolderAgency, HubDatabase
from pipelines.steps.land import LandingReport, land_bank, land_files, land_tax
from pipelines.steps.load import LoadReport, load_pending
from pipelines.steps.stage import stage_pending

MAHALLA = "1703202015"
ASSISTANT = "A-00042"


def scale() -> float:
    """The input size factor `bench_faults.py --scale` passes (FAULT_CASES_SCALE)."""
    return float(os.environ.get("FAULT_CASES_SCALE", "1"))


def scaled(n: int) -> int:
    return max(1, round(n * scale()))


@dataclass(frozen=True)
class Counts:
    deliveries: int
    delivered: int
    accepted: int
    rejected: int


MAHALLA_ROW = f"1703,Andijon viloyati,1703202,Asaka tumani,{MAHALLA},Navbahor MFY,207123456"


def registered_hub(workdir: Path, mahalla_rows: list[str] | None = None) -> HubDatabase:
    """A SQLite hub and landing store under `workdir`, its register loaded: the rows of
    mahallas.csv given (header aside; one mahalla by default) and one assistant."""
    hub = HubDatabase(
        database_url=f"sqlite:///{workdir / 'hub.sqlite3'}",
        landing_dir=str(workdir / "landing"),
    )
    registry = workdir / "registry"
    registry.mkdir(parents=True, exist_ok=True)
    rows = [",".join(MAHALLA_COLUMNS), *(mahalla_rows or [MAHALLA_ROW])]
    (registry / "mahallas.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (registry / "assistants.csv").write_text(
        f"{','.join(ASSISTANT_COLUMNS)}\n"
        f"{ASSISTANT},Karimov Jasur,+998901234567,{MAHALLA},2022-01-01\n",
        encoding="utf-8",
    )
    run_files(hub, "registry", registry)
    return hub


def run_files(
    hub: HubDatabase, source: str, folder: Path, settle_seconds: float = 0
) -> tuple[LandingReport, LoadReport]:
    """The pipelines' three steps over the files of `folder` as `source`'s job runs them."""
    agency = FolderAgency(folder=str(folder), settle_seconds=settle_seconds)
    landed = land_files(hub, agency, source, None)
    stage_pending(hub, source)
    return landed, load_pending(hub, source)


@dataclass
class SmallHub:
    workdir: Path
    hub: HubDatabase

    @classmethod
    def create(cls, workdir: Path) -> SmallHub:
        return cls(workdir, registered_hub(workdir))

    def folder(self, source: str) -> Path:
        path = self.workdir / source
        path.mkdir(parents=True, exist_ok=True)
        return path

    def run_files(self, source: str, settle_seconds: float = 0) -> tuple[LandingReport, LoadReport]:
        return run_files(self.hub, source, self.folder(source), settle_seconds)

    def run_api(self, source: str, agency: Any) -> LoadReport:
        """One walk of an API source; `agency` has the resource's `connector()`."""
        land = land_tax if source == "tax" else land_bank
        land(self.hub, agency, None)
        stage_pending(self.hub, source)
        return load_pending(self.hub, source)

    def counts(self, source: str) -> Counts:
        with self.hub.session() as session:
            row = session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(Delivery.delivered), 0),
                    func.coalesce(func.sum(Delivery.accepted), 0),
                    func.coalesce(func.sum(Delivery.rejected), 0),
                ).where(Delivery.source == source)
            ).one()
        return Counts(*(int(n) for n in row))

    def statuses(self, source: str) -> list[str]:
        with self.hub.session() as session:
            stmt = select(Delivery.status).where(Delivery.source == source)
            return list(session.scalars(stmt.order_by(Delivery.id)))

    def open_rejects(self, source: str) -> int:
        with self.hub.session() as session:
            where = (Reject.source == source, Reject.status == "open")
            return session.scalar(select(func.count()).where(*where)) or 0

    def current_leases(self) -> int:
        with self.hub.session() as session:
            return session.scalar(select(func.count()).where(LandLease.is_current)) or 0
