"""The landing store: one Parquet file per (stage, source, delivery, table).

Layout: `<root>/<stage>/<source>/<delivery id>/<table>.parquet`, stage being `landed` (the
connector's records as columns) or `staged` (normalised and checked). A landed table may be
written in numbered parts (`<table>.part-00001.parquet`, ...) so that landing never holds a
whole large delivery as Python objects; `read_parts` reads them back as one frame. Files are
written to a temporary name and renamed, so a killed run never leaves a half-written file.
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

    def part_path(self, stage: Stage, source: str, delivery_id: int, table: str, part: int) -> Path:
        return self.root / stage / source / str(delivery_id) / f"{table}.part-{part:05d}.parquet"

    def write(
        self,
        stage: Stage,
        source: str,
        delivery_id: int,
        table: str,
        frame: pl.DataFrame,
        part: int | None = None,
    ) -> Path:
        target = (
            self.path(stage, source, delivery_id, table)
            if part is None
            else self.part_path(stage, source, delivery_id, table, part)
        )
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

    def read_parts(
        self, stage: Stage, source: str, delivery_id: int, table: str
    ) -> pl.DataFrame | None:
        """The table's parts (or its single file) as one frame, in part order; None if none."""
        folder = self.root / stage / source / str(delivery_id)
        files = sorted(folder.glob(f"{table}.part-*.parquet"))
        single = self.path(stage, source, delivery_id, table)
        if single.exists():
            files.insert(0, single)
        if not files:
            return None
        return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")

    def discard(self, source: str, delivery_id: int) -> None:
        """Remove every stage's files of a delivery (after it was loaded, or to redo it)."""
        for stage in ("landed", "staged"):
            shutil.rmtree(self.root / stage / source / str(delivery_id), ignore_errors=True)
