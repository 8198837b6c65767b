"""Writing a polars frame of diagnostics into its table, in bulk.

`upsert_frame` is `hub.graph.frame_upserts.upsert_frame`: on PostgreSQL the frame goes
out as one CSV (`hub.graph.csv_copy`, polars' native writer) through `COPY` into a
temporary table, then one `INSERT ... SELECT ... ON CONFLICT` merges it: no Python object
per value. (`hub.graph.bulk.upsert_rows` copies row by row from dicts, which for the
quarter of a million evidence rows of a million-person graph cost more than computing
them.) List columns (the records that decided a finding) are written as JSON. Other
databases, and small frames, take the rows through `upsert_rows`.

`append_frame` is for a table the caller has just emptied in its transaction (a whole
rebuild): `hub.graph.inserts.insert_frame`, the CSV copied straight into the table, with
no temporary table and no conflict check per row (at 1M people, 230,000 evidence rows:
5.4 s against 7.1 s at load 8). A row that is already there is an error (a unique
violation), never a silent merge.
"""

from __future__ import annotations

from hub.graph.frame_upserts import upsert_frame
from hub.graph.inserts import insert_frame as append_frame

__all__ = ["append_frame", "upsert_frame"]
