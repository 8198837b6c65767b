"""The landing store: one Parquet file per (stage, source, delivery, table).

Layout: `<root>/<stage>/<source>/<delivery id>/<table>.parquet`, stage being `landed` (the
connector's records as columns) or `staged` (normalised and checked). Files are written to a
temporary name and renamed, so a killed run never leaves a half-written file behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

Stage = Literal["landed", "staged"]


class LandingFileMissingError(FileNotFoundError):
    """A stage asked for a delivery's table that no earlier stage wrote."""


@dataclass(frozen=True)
class LandingStore:
    root: Path

    def path(self, stage: Stage, source: str, delivery_id: int, table: str) -> Path:
        return self.root / stage / source / str(delivery_id) / f"{table}.parquet"

    def write(
        self, stage: Stage, source: str, delivery_id: int, table: str, frame: pl.DataFrame
    ) -> Path:
        target = self.path(stage, source, delivery_id, table)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".parquet.partial")
        frame.write_parquet(partial)
        partial.replace(target)
        return target

    def read(self, stage: Stage, source: str, delivery_id: int, table: str) -> pl.DataFrame:
        target = self.path(stage, source, delivery_id, table)
        if not target.exists():
            raise LandingFileMissingError(
                f"{source}: delivery {delivery_id} has no {stage} table '{table}' at {target}."
            )
        return pl.read_parquet(target)

    def discard(self, source: str, delivery_id: int) -> None:
        """Remove every stage's files of a delivery (after it was loaded, or to redo it)."""
        for stage in ("landed", "staged"):
            shutil.rmtree(self.root / stage / source / str(delivery_id), ignore_errors=True)
