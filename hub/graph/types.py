"""Column types shared by the graph's models.

`UtcDateTime` keeps every timestamp timezone-aware on both databases: SQLite has no
time zone type, so values are stored as UTC and handed back with `tzinfo=UTC`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp; naive datetimes are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"Timestamp {value.isoformat()!r} has no time zone.")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:  # PostgreSQL sessions run in UTC
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite only auto-increments an INTEGER PRIMARY KEY, so big ids are INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")

pk_id = Annotated[int, mapped_column(BigId, primary_key=True, autoincrement=True)]
pinfl_str = Annotated[str, mapped_column(String(14))]
tin_str = Annotated[str, mapped_column(String(9))]
mahalla_code_str = Annotated[str, mapped_column(String(10))]
source_id_str = Annotated[str, mapped_column(String(16))]
record_key_str = Annotated[str, mapped_column(String(64))]
short_str = Annotated[str, mapped_column(String(32))]
name_str = Annotated[str, mapped_column(String(200))]
timestamp = Annotated[datetime, mapped_column(UtcDateTime())]
json_value = Annotated[Any, mapped_column(JSON())]


def utc_now() -> datetime:
    return datetime.now(UTC)
