"""Idempotent bulk upserts keyed by natural keys, fast on SQLite and PostgreSQL.

`upsert_rows` writes many rows in the caller's transaction: a row whose key already exists
is updated (optionally only when `where` holds, e.g. "the incoming file is later"), a new
key is inserted. Running it twice with the same rows changes nothing.

- SQLite: `INSERT ... ON CONFLICT DO UPDATE` through `executemany` (SQLAlchemy batches it
  into multi-row statements), in the caller's single transaction.
- PostgreSQL: batches of at least `copy_threshold` rows are `COPY`-ed into a temporary
  table and merged with one `INSERT ... SELECT ... ON CONFLICT`; smaller ones go through
  `executemany` like SQLite.

Rows with the same key inside one call are reduced to the last one, as a database would
refuse to update one row twice in one statement and "later wins" is every source's rule.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from hub.graph.driver_writes import DriverWriteError, copy_rows, sqlite_executemany

Row = Mapping[str, Any]
T = TypeVar("T")

DEFAULT_BATCH_SIZE = 20_000
DEFAULT_COPY_THRESHOLD = 2_000
# Keys per IN list when reading back: large enough to keep statements few, below SQLite's
# limit of 32,766 bound parameters (a composite key binds one per column).
IN_CHUNK = 5_000


class BulkWriteError(DriverWriteError):
    """The rows given to a bulk write do not fit the table (the message says which)."""


def in_chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of `size`, for IN lists that stay under the drivers' limits."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def table_of(target: type[DeclarativeBase] | Table) -> Table:
    found = target if isinstance(target, Table) else target.__table__
    if not isinstance(found, Table):
        raise BulkWriteError(f"{target!r} is not mapped to a table.")
    return found


def last_per_key(rows: Iterable[Row], key: Sequence[str]) -> list[Row]:
    reduced: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        reduced[tuple(row[k] for k in key)] = row
    return list(reduced.values())


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def upsert_rows(
    session: Session,
    target: type[DeclarativeBase] | Table,
    rows: Iterable[Row],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
    where: str | None = None,
    returning: Sequence[str] = (),
    batch_size: int = DEFAULT_BATCH_SIZE,
    copy_threshold: int = DEFAULT_COPY_THRESHOLD,
) -> list[tuple[Any, ...]]:
    """Insert or update `rows` in `target`, matching on the unique columns `key`.

    `update` names the columns to overwrite on conflict (default: every column given that
    is not in `key`; an empty sequence means "insert new keys only"). `where` is an SQL
    condition over `target` (by table name) and `excluded` that must hold for an update.
    `returning` names columns to return for every row written or matched: rows whose update
    was skipped by `where` or `update=()` are returned too, so callers can map keys to ids.
    """
    tbl = table_of(target)
    results: list[tuple[Any, ...]] = []
    for chunk in _chunks(rows, batch_size):
        given = list(chunk[0].keys())
        check_columns(tbl, given, key, chunk)
        unique = last_per_key(chunk, key)
        # Only the columns the caller gave are overwritten; defaults apply to new rows only.
        to_update = [c for c in given if c not in key] if update is None else list(update)
        unique = with_defaults(tbl, unique)
        columns = list(unique[0].keys())
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql" and len(unique) >= copy_threshold:
            merged = _copy_merge(session, tbl, unique, columns, key, to_update, where, returning)
            results.extend(merged)
            continue
        if dialect == "sqlite":
            _sqlite_executemany(session, tbl, unique, columns, key, to_update, where)
        else:
            _execute_upsert(session, tbl, unique, key, to_update, where, dialect)
        if returning:
            results.extend(_select_returning(session, tbl, unique, key, returning))
    return results


def check_columns(tbl: Table, columns: list[str], key: Sequence[str], rows: list[Row]) -> None:
    unknown = [c for c in columns if c not in tbl.c]
    if unknown:
        raise BulkWriteError(f"Table '{tbl.name}' has no column(s) {unknown}.")
    missing_key = [k for k in key if k not in columns]
    if missing_key:
        raise BulkWriteError(f"Rows for '{tbl.name}' lack the key column(s) {missing_key}.")
    expected = set(columns)
    for row in rows:
        if set(row) != expected:
            raise BulkWriteError(
                f"Rows for '{tbl.name}' must all have the same columns: "
                f"{sorted(expected)} != {sorted(row)}."
            )


def with_defaults(tbl: Table, rows: list[Row]) -> list[Row]:
    """Fill the columns with Python-side defaults that the rows leave out.

    COPY bypasses SQLAlchemy, so both paths get the defaults here and behave alike.
    """
    defaults: dict[str, Any] = {}
    for column in tbl.c:
        default = column.default
        if column.name in rows[0] or default is None or column.primary_key:
            continue
        if default.is_scalar:
            defaults[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            defaults[column.name] = default.arg(None)  # type: ignore[attr-defined]
    if not defaults:
        return rows
    return [{**defaults, **row} for row in rows]


def _execute_upsert(
    session: Session,
    tbl: Table,
    rows: list[Row],
    key: Sequence[str],
    to_update: list[str],
    where: str | None,
    dialect: str,
) -> None:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(tbl)
    if to_update:
        condition = text(where) if where is not None else None
        stmt = stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={c: stmt.excluded[c] for c in to_update},
            where=condition,
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    session.execute(stmt, rows)


def _on_conflict(key: Sequence[str], to_update: list[str], where: str | None) -> str:
    """The ON CONFLICT clause both dialects accept, for hand-written upserts."""
    conflict = ", ".join(f'"{k}"' for k in key)
    if not to_update:
        return f"ON CONFLICT ({conflict}) DO NOTHING"
    assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in to_update)
    condition = f" WHERE {where}" if where else ""
    return f"ON CONFLICT ({conflict}) DO UPDATE SET {assignments}{condition}"


def _sqlite_executemany(
    session: Session,
    tbl: Table,
    rows: list[Row],
    columns: list[str],
    key: Sequence[str],
    to_update: list[str],
    where: str | None,
) -> None:
    """One prepared upsert run by the driver's `executemany` (`sqlite_executemany`)."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    conflict = _on_conflict(key, to_update, where)
    sql = f'INSERT INTO "{tbl.name}" ({quoted}) VALUES ({marks}) {conflict}'
    sqlite_executemany(
        session, sql, [tbl.c[c] for c in columns], ([row[c] for c in columns] for row in rows)
    )


def _copy_merge(
    session: Session,
    tbl: Table,
    rows: list[Row],
    columns: list[str],
    key: Sequence[str],
    to_update: list[str],
    where: str | None,
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    def fill(temp: str) -> None:
        values = ([row[c] for c in columns] for row in rows)
        copy_rows(session, temp, [tbl.c[c] for c in columns], values)

    return merge_through_temp(session, tbl, columns, fill, key, to_update, where, returning)


def merge_through_temp(
    session: Session,
    tbl: Table,
    columns: Sequence[str],
    fill: Callable[[str], None],
    key: Sequence[str],
    to_update: list[str],
    where: str | None,
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """PostgreSQL: `fill` a temporary table shaped like `tbl` (it is given its name) with
    rows of `columns`, merge them into `tbl` in one INSERT ... ON CONFLICT, and read
    `returning` of every row written or matched back through the same keys."""
    temp = f"tmp_{tbl.name}_{uuid.uuid4().hex[:12]}"
    quoted = ", ".join(f'"{c}"' for c in columns)
    session.execute(text(f'CREATE TEMPORARY TABLE "{temp}" (LIKE "{tbl.name}" INCLUDING DEFAULTS)'))
    fill(temp)
    session.execute(
        text(
            f'INSERT INTO "{tbl.name}" ({quoted}) SELECT {quoted} FROM "{temp}" '
            f"{_on_conflict(key, to_update, where)}"
        )
    )
    found: list[tuple[Any, ...]] = []
    if returning:
        # The temporary table holds exactly the keys written: one join reads them back.
        wanted = ", ".join(f't."{c}"' for c in returning)
        joined = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        rows_back = session.execute(
            text(f'SELECT {wanted} FROM "{tbl.name}" t JOIN "{temp}" s ON {joined}')
        )
        found = [tuple(r) for r in rows_back]
    session.execute(text(f'DROP TABLE "{temp}"'))
    return found


def _select_returning(
    session: Session, tbl: Table, rows: list[Row], key: Sequence[str], returning: Sequence[str]
) -> list[tuple[Any, ...]]:
    """Read back `returning` for the keys just written (one query per IN_CHUNK keys)."""
    out: list[tuple[Any, ...]] = []
    cols = [tbl.c[c] for c in returning]
    if len(key) == 1:
        key_col = tbl.c[key[0]]
        values = [row[key[0]] for row in rows]
        for chunk in in_chunks(values):
            stmt = select(*cols).where(key_col.in_(chunk))
            out.extend(tuple(r) for r in session.execute(stmt))
        return out
    key_cols = [tbl.c[k] for k in key]
    tuples = [tuple(row[k] for k in key) for row in rows]
    for chunk in in_chunks(tuples):
        stmt = select(*cols).where(tuple_(*key_cols).in_(chunk))
        out.extend(tuple(r) for r in session.execute(stmt))
    return out


def fetch_key_map(
    session: Session,
    target: type[DeclarativeBase] | Table,
    key: str,
    values: Iterable[Any],
    value: str = "id",
) -> dict[Any, Any]:
    """Map each of `values` found in column `key` of `target` to its column `value`."""
    tbl = table_of(target)
    wanted = list(dict.fromkeys(values))
    found: dict[Any, Any] = {}
    for chunk in in_chunks(wanted):
        stmt = select(tbl.c[key], tbl.c[value]).where(tbl.c[key].in_(chunk))
        found.update((k, v) for k, v in session.execute(stmt))
    return found


__all__ = [
    "IN_CHUNK",
    "BulkWriteError",
    "Row",
    "fetch_key_map",
    "in_chunks",
    "upsert_rows",
]
