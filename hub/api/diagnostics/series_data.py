"""The monthly figures of one territory and their revisions, read from `monthly_indicator`
and `monthly_indicator_revision` (written by `hub.diagnostics.monthly_store`).

One statement reads every figure of the months asked for (the primary key, level, code,
month and name, answers it as a range), one more the revisions when a query selects them.
Statements are built once and kept (`batch_fetch.kept_statement`): a dashboard sends the
same few per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from hub.api.batch_fetch import kept_statement
from hub.api.driver_rows import fetch_rows
from hub.api.records import table_of
from hub.graph.models import MonthlyIndicator, MonthlyIndicatorRevision

FIGURES = table_of(MonthlyIndicator)
REVISIONS = table_of(MonthlyIndicatorRevision)


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """Which territory (`level`: mahalla, district, region or country; `code`) and which
    months, `first` to `last` (first days); `territory`, the (lowest, highest) mahalla
    code a caller may see at the mahalla level, or None."""

    level: str
    code: str
    first: date
    last: date
    territory: tuple[str, str] | None = None

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "level": self.level,
            "code": self.code,
            "first": self.first,
            "last": self.last,
        }
        if self.territory is not None:
            params["low"], params["high"] = self.territory
        return params


@dataclass(frozen=True, slots=True)
class RevisionRecord:
    month_on: date
    name: str
    old_value: float
    new_value: float
    reason: str
    revised_at: datetime


def _where(stmt: Select[Any], table: Any, restricted: bool) -> Select[Any]:
    stmt = stmt.where(
        table.c.level == bindparam("level"),
        table.c.code == bindparam("code"),
        table.c.month_on.between(bindparam("first"), bindparam("last")),
    )
    if restricted:
        stmt = stmt.where(table.c.code.between(bindparam("low"), bindparam("high")))
    return stmt


def fetch_figures(connection: Connection, key: SeriesKey) -> dict[date, dict[str, float]]:
    """Per month that has figures (ascending), its figures by name."""
    restricted = key.territory is not None
    stmt = kept_statement(
        ("monthly_figures", restricted),
        lambda: _where(
            select(FIGURES.c.month_on, FIGURES.c.name, FIGURES.c.value), FIGURES, restricted
        ).order_by(FIGURES.c.month_on, FIGURES.c.name),
    )
    months: dict[date, dict[str, float]] = {}
    for month_on, name, value in fetch_rows(connection, stmt, key.params()):
        months.setdefault(month_on, {})[name] = value
    return months


def fetch_revisions(connection: Connection, key: SeriesKey) -> dict[date, list[RevisionRecord]]:
    """Per month, its revisions in the order they were made."""
    restricted = key.territory is not None
    columns = ("month_on", "name", "old_value", "new_value", "reason", "revised_at")
    stmt = kept_statement(
        ("monthly_revisions", restricted),
        lambda: _where(select(*(REVISIONS.c[c] for c in columns)), REVISIONS, restricted).order_by(
            REVISIONS.c.month_on, REVISIONS.c.revised_at, REVISIONS.c.id
        ),
    )
    found: dict[date, list[RevisionRecord]] = {}
    rows: Sequence[Sequence[Any]] = fetch_rows(connection, stmt, key.params())
    for row in rows:
        record = RevisionRecord(*row)
        found.setdefault(record.month_on, []).append(record)
    return found
