"""How PostgreSQL plans the candidate lookups: without JIT, and a region's through its index.

The lookups (`pipelines.linking.candidates`) are one statement, a union of a dozen joins.

- JIT off. The statement's estimated cost grows with the graph, and past PostgreSQL's
  `jit_inline_above_cost` and `jit_optimize_above_cost` it compiled the statement with
  full inlining and optimisation on every call: 11 to 20 s of compiling for 2 to 5 s of
  executing (EXPLAIN ANALYZE, one region's bank delivery of 7,680 persons against a graph
  of three regions of 200,000 people). Each delivery of each region paid that, more as the
  other regions loaded.
- A region's lookups (a region partition links against its own region's records,
  narrowed by the mahalla code's range, `pipelines.regions.codes.code_in_region`) with
  sequential scans off: most lookups join on expressions no index holds (a PINFL's digits,
  the given name inside a name key), so the database reads the region's records and hashes
  them. PostgreSQL costs a bitmap scan of one region's rows as if they were spread over
  every page, where a region's rows were written together by its own run, and read the
  whole table instead once a region was a quarter to a half of it: ten reads of every
  region's records per delivery. Off, the table it has no other path to (the incoming
  keys) is still scanned, and `source_record` is read through the region's index range.
  The country-wide step (no region) reads every region by design and keeps its plan.

Both are set for the transaction while the lookups run and restored after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipelines.regions.codes import COUNTRY


@contextmanager
def lookup_plans(session: Session, region: str | None) -> Iterator[None]:
    """Within the block, statements run without JIT and, for a `region` code, read no table
    whole that an index can narrow (PostgreSQL; elsewhere nothing changes)."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    settings = {"jit": "off"}
    if region is not None and region != COUNTRY:
        settings["enable_seqscan"] = "off"
    before = {
        name: session.execute(text("SELECT current_setting(:name)"), {"name": name}).scalar_one()
        for name in settings
    }
    _set(session, settings)
    try:
        yield
    finally:
        _set(session, before)


def _set(session: Session, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        session.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
        )
