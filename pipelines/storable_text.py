"""Delivered text as the quarantine can hold it on both databases.

The quarantine keeps what was delivered, and what was delivered may be what the graph
refused: PostgreSQL cannot store a NUL character in text at all, and a record key longer
than the quarantine's key column fails the insert (SQLite accepts both). So a NUL is
written as the visible escape `\\x00` and a key is cut to its column, the full key staying
in the raw text; otherwise one hostile record would keep its whole delivery out of the
quarantine on PostgreSQL.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import String

from hub.graph.models import Reject


def _length(column: str) -> int:
    sql_type = Reject.__table__.c[column].type
    assert isinstance(sql_type, String) and sql_type.length is not None
    return sql_type.length


NUL_ESCAPE: Final = "\\x00"
KEY_LENGTH: Final = _length("record_key")
ORIGIN_LENGTH: Final = _length("origin")


def storable(text: str) -> str:
    """`text` with every NUL character written as `\\x00`."""
    return text.replace("\x00", NUL_ESCAPE) if "\x00" in text else text


def storable_key(key: str | None) -> str | None:
    """A record key as the quarantine's key column holds it (NULs escaped, cut to length)."""
    return None if key is None else storable(key)[:KEY_LENGTH]


def storable_origin(origin: str | None) -> str | None:
    return None if origin is None else storable(origin)[:ORIGIN_LENGTH]
