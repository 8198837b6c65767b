"""A later delivery for bench_pipeline's incremental run: new records of people already known.

Issue 13 asks for a delivery of 5% of the people linked against the whole graph in at most
10% of the full run's time. The delivery is one more monthly employment file (the contract's
CSV: Windows-1251, `;`, CRLF, header in Russian) whose rows are rows the world already
delivered, drawn at random, under record numbers never used: new records of known people,
which the `linked_persons` step must link against the graph's candidates rather than found
new persons for.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

ENCODING = "cp1251"
_MONTH = re.compile(r"employment_(\d{4})-(\d{2})\.csv")


def _next_month(folder: Path) -> str:
    months = sorted(
        (int(m.group(1)), int(m.group(2)))
        for f in folder.iterdir()
        if (m := _MONTH.fullmatch(f.name))
    )
    if not months:
        raise ValueError(f"{folder} holds no employment_YYYY-MM.csv file to follow.")
    year, month = months[-1]
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def write_delivery(world_employment: Path, agency: Path, rows: int, seed: int = 13) -> Path:
    """Copy the world's employment files into `agency` (the folder the incremental run's
    agency reads) and add the next month's file of `rows` rows; its path."""
    if rows < 1:
        raise ValueError(f"A delivery needs at least one row; got rows={rows}.")
    shutil.copytree(world_employment, agency, dirs_exist_ok=True)
    header = ""
    delivered: list[str] = []
    for path in sorted(world_employment.glob("employment_*.csv")):
        lines = path.read_text(encoding=ENCODING).splitlines()
        header = lines[0]
        delivered += [line for line in lines[1:] if line]
    if not delivered:
        raise ValueError(f"{world_employment} delivered no employment rows to draw from.")
    draw = random.Random(seed)
    chosen = (
        draw.sample(delivered, rows)
        if rows <= len(delivered)
        else [draw.choice(delivered) for _ in range(rows)]
    )
    month = _next_month(world_employment)
    # Record numbers are the source's keys: a new series, so every row is a new record.
    body = [f"E{month[:4]}-9{i:06d};{line.split(';', 1)[1]}" for i, line in enumerate(chosen)]
    target = agency / f"employment_{month}.csv"
    with target.open("w", encoding=ENCODING, newline="") as out:
        out.write("\r\n".join([header, *body]) + "\r\n")
    return target
