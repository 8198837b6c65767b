"""A region partition's candidate lookups read its region's records only, through an index.

A region run links its deliveries against its own region's records
(`pipelines.linking.candidates`), narrowed by the mahalla code's range
(`pipelines.regions.codes.code_in_region`), which the index on `source_record`'s mahalla
code can search. Most lookups join on expressions no index holds (a PINFL's digits, the
given name inside a name key), so the database reads the region's records and hashes
them. PostgreSQL estimates a bitmap scan of one region's rows as dearer than reading the
whole table once a region is more than a few percent of it (it takes the rows to be spread
over every page, where a region's rows were written together, by its own run), and then
read every region's records in each lookup: ten lookups per delivery, each growing with
the whole graph, so a region's run slowed as the other regions loaded.

While a region's lookups run, sequential scans are therefore off for the transaction
(`enable_seqscan`, restored after): the database still scans a table it has no other path
to (the incoming keys), but reads `source_record` through the region's index range. The
country-wide step (no region) is left to the planner: it reads every region by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from pipelines.regions.codes import COUNTRY


@contextmanager
def region_scans_only(session: Session, region: str | None) -> Iterator[None]:
    """Within the block, a region's lookups read no table whole that an index can narrow
    (PostgreSQL; elsewhere, and for no region or `COUNTRY`, nothing changes)."""
    if region is None or region == COUNTRY or session.get_bind().dialect.name != "postgresql":
        yield
        return
    before = session.execute(text("SELECT current_setting('enable_seqscan')")).scalar_one()
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    try:
        yield
    finally:
        session.execute(
            text("SELECT set_config('enable_seqscan', :value, true)"), {"value": before}
        )
