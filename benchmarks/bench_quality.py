"""Time `validate_table` on synthetic staged `survey_members` frames and print a table.

    uv run python benchmarks/bench_quality.py [ROWS ...]   (default: 300000 1000000)

Each size runs twice: with the default sample limit, and with sampling off (every rule on
every row) to show what the sample saves.

The frame is built vectorised (numpy + polars) in the staged schema, with realistic
imperfections: ~8% invalid PINFLs, ~5% missing birth dates, a few notebooks. The GX import
and context creation are timed separately (once per process).
"""

from __future__ import annotations

import sys
import time
from datetime import date

import numpy as np
import polars as pl

from connectors.vocabulary import Occupation, Relation
from pipelines.quality.gx_session import open_session
from pipelines.quality.validate import DEFAULT_SAMPLE_LIMIT, validate_table
from pipelines.staging.schemas import STAGED_SCHEMAS

AS_OF = date(2022, 12, 31)


def _choice(rng: np.random.Generator, values: list[str], n: int) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=object)[rng.integers(0, len(values), n)])


def synthetic_members(n: int, seed: int = 0) -> pl.DataFrame:
    """`n` staged survey members (households of 4) in STAGED_SCHEMAS['survey_members']."""
    rng = np.random.default_rng(seed)
    household = np.arange(n) // 4
    member_no = (np.arange(n) % 4 + 1).astype(np.int32)
    mahalla = 1703202000 + household % 900
    births = np.datetime64("1940-01-01") + rng.integers(0, 30000, n).astype("timedelta64[D]")
    bad_pinfl = pl.Series(rng.random(n) < 0.08)
    has_notebook = pl.Series(rng.random(n) < 0.05)
    frame = pl.DataFrame(
        {
            "survey_id": pl.Series(household).cast(pl.String).str.zfill(7),
            "member_no": member_no,
            "mahalla_code": pl.Series(mahalla).cast(pl.String),
            "pinfl": pl.Series(rng.integers(10**13, 10**14, n)).cast(pl.String),
            "birth_on": pl.Series(births).cast(pl.Date),
            "sex": _choice(rng, ["M", "F"], n),
            "relation": _choice(rng, [r.value for r in Relation], n),
            "occupation": _choice(rng, [o.value for o in Occupation], n),
            "full_name": _choice(rng, ["Karimov Jasur Anvar o‘g‘li", "Aliyeva Dilnoza"], n),
        }
    )
    frame = frame.with_columns(
        pl.concat_str("survey_id", pl.lit("/"), "member_no").alias("record_key"),
        pl.concat_str(pl.lit("survey_1.jsonl:"), pl.int_range(n)).alias("origin"),
        pl.lit(1, dtype=pl.Int64).alias("delivery_id"),
        pl.col("full_name").alias("latin_name"),
        pl.col("full_name").str.to_lowercase().alias("name_key"),
        pl.col("full_name").str.split(" ").list.first().str.to_lowercase().alias("surname_key"),
        pl.col("full_name").str.split(" ").list.get(1).str.to_lowercase().alias("given_key"),
        pl.when(pl.int_range(n) % 20 == 0).then(None).otherwise("birth_on").alias("birth_on"),
        pl.lit(date(2022, 1, 14)).alias("surveyed_on"),
        pl.when(bad_pinfl).then(pl.lit("bad_check_digit")).alias("pinfl_issue"),
        pl.when(has_notebook).then(pl.lit("youth")).alias("notebook"),
    )
    schema = STAGED_SCHEMAS["survey_members"]
    return frame.select([pl.col(c).cast(dtype) for c, dtype in schema.items()])


def main(sizes: list[int]) -> None:
    started = time.perf_counter()
    open_session()
    out = sys.stdout
    out.write(f"GX import + ephemeral context: {time.perf_counter() - started:.2f} s\n\n")
    out.write(
        f"{'rows':>10} {'limit':>10} {'validated':>10} {'sampled':>8} {'rules':>6} "
        f"{'blocking':>9} {'warnings':>9} {'seconds':>8}\n"
    )
    for n in sizes:
        frame = synthetic_members(n)
        for limit in (DEFAULT_SAMPLE_LIMIT, n):
            started = time.perf_counter()
            report = validate_table("survey_members", frame, as_of=AS_OF, sample_limit=limit)
            seconds = time.perf_counter() - started
            out.write(
                f"{report.rows:>10} {limit:>10} {report.rows_validated:>10} {report.sampled!s:>8} "
                f"{len(report.outcomes):>6} {len(report.blocking_failures):>9} "
                f"{len(report.warnings):>9} {seconds:>8.2f}\n"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300_000, 1_000_000])
