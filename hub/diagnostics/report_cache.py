"""The report's charts kept on disk by what they draw, so that a rebuild draws only the
charts whose figures changed.

A chart is a function of its inputs (the frame it plots and the other arguments of its
drawing function) and of how it is drawn (the code of `report_charts` and matplotlib's
version). `ChartCache` keys each chart by a SHA-256 of all of that and keeps its SVG as
`<folder>/<key>.svg`: the same figures give the same key, hence the same bytes as a fresh
drawing, and a change to a figure, to the drawing code or to matplotlib gives a new key.
Drawing one chart costs 50-100 ms of CPU (tick and text layout); reading it back, well
under a millisecond. A stored file that is not an SVG (truncated, edited by hand) is drawn
again and replaced. Files are written whole (a temporary file renamed over), so two runs
writing the same chart at once never leave half a file.

The folder grows by the charts of each new month (a few kilobytes each, less than the
reports that embed them); deleting it only costs the next run its drawing time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
import polars as pl

from hub.diagnostics import report_charts


@cache
def _drawing_version() -> bytes:
    """What a chart's look depends on besides its inputs: the charting code and matplotlib."""
    code = Path(report_charts.__file__).read_bytes()
    return hashlib.sha256(code + matplotlib.__version__.encode()).digest()


def _key(draw: Callable[..., str | None], frame: pl.DataFrame, args: tuple[Any, ...]) -> str:
    digest = hashlib.sha256(_drawing_version())
    # repr of Python floats, dates and strings is exact, so equal frames give equal text.
    described = (draw.__qualname__, frame.columns, [str(t) for t in frame.dtypes], args)
    digest.update(repr(described).encode())
    digest.update(repr(frame.rows()).encode())
    return digest.hexdigest()


class ChartCache:
    """SVG charts by a hash of what they draw, in `folder` (created when first written)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.drawn = 0
        self.reused = 0

    def svg(self, draw: Callable[..., str | None], frame: pl.DataFrame, *args: Any) -> str | None:
        """`draw(frame, *args)`'s SVG, read from the folder when the same chart was drawn
        before (None, as `draw` answers, for a chart with nothing to draw)."""
        if frame.is_empty():
            return draw(frame, *args)
        path = self.folder / f"{_key(draw, frame, args)}.svg"
        stored = self._read(path)
        if stored is not None:
            self.reused += 1
            return stored
        drawn = draw(frame, *args)
        if drawn is not None:
            self.drawn += 1
            self._write(path, drawn)
        return drawn

    @staticmethod
    def _read(path: Path) -> str | None:
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return text if text.startswith("<?xml") and text.rstrip().endswith("</svg>") else None

    def _write(self, path: Path, svg: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(svg)
        os.replace(temporary, path)
