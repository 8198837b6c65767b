"""The rows of a statement built once and kept (see `batch_fetch.keyed`), read on the driver.

SQLAlchemy's `Connection.execute` does the same work for every execution of a statement
it has compiled before: it looks the compiled form up by the statement's cache key, builds
an execution context, asks psycopg for the cursor's description (psycopg builds a column
object per column), matches it against the compiled result columns and builds a result
object. For a person with every relation (sixteen small statements) that was a quarter of
the request's CPU, more than the statements' own execution.

`fetch_rows(connection, stmt, params)` keeps, per statement object, what that work
produces: the SQL text with PostgreSQL's own placeholders (`$1`, `$2`, ...), the order of
its parameters, the bind processors and the result processors of its columns. Then each
execution is one driver call: the parameters are completed and processed as
`construct_params` and the bind processors make them, and the statement runs on a raw
cursor (`psycopg.RawCursor`, which takes `$n` placeholders and a list of values as they
are) of the same DBAPI connection (the request's, in its
transaction if it has one; with an asyncio engine, psycopg's async cursor, awaited from the
greenlet SQLAlchemy runs the data layer in), and each row's values go through the columns' result
processors (the graph's `UtcDateTime`, say), so rows equal `connection.execute(...).all()`
value for value (`tests/hub/api/test_driver_rows.py` compares both on PostgreSQL).

Why a raw cursor: psycopg's ordinary cursor rewrites `%(name)s` placeholders to `$n` with a
regular expression over the whole text on every execution of a statement longer than 4,096
characters (it caches the rewrite of shorter ones only). A compiled person with every
relation is about 9,000 characters, and its rewrite was a sixth of the request's CPU. The
rewrite is done here once per statement (`dollar_placeholders`), as psycopg does it.

The shortcut is taken only with psycopg, for statements without expanding parameters
(an `IN` over a list, rendered per execution), and only while nothing listens for the engine's
statement events (a listener, such as the tests' statement counter, must see every
statement): anywhere else, and for statements built per call, use `connection.execute`.
Driver errors arrive as psycopg's exceptions, not wrapped in SQLAlchemy's `DBAPIError`;
the API masks unexpected errors either way, and a connection the server dropped is caught
by the pool's pre-ping at the next checkout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal

import psycopg
from sqlalchemy import Connection, Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import await_only

Processor = Callable[[Any], Any]
RowConverter = Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]]


# What the psycopg dialect's compiler writes for a percent sign (`%%`) and for a bound
# value (`%(name)s`); any other `%` is not of its making.
_PERCENT = re.compile(r"%(?:(%)|\(([^()]+)\)s|)")


def dollar_placeholders(sql: str) -> tuple[str, tuple[str, ...]] | None:
    """`sql`, written in psycopg's `pyformat` style by SQLAlchemy, with PostgreSQL's `$n`
    placeholders instead, and the parameter names in their order (a name used twice is
    one parameter); None when it holds a `%` the conversion does not know."""
    order: dict[str, int] = {}
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        percent, name = match.groups()
        if percent:
            return "%"
        if name is None:
            unknown = True
            return match.group(0)
        number = order.setdefault(name, len(order) + 1)
        return f"${number}"

    converted = _PERCENT.sub(replace, sql)
    return None if unknown else (converted, tuple(order))


class _Plan:
    """What executing one statement on psycopg needs, computed once."""

    __slots__ = ("bind_processors", "compiled", "convert", "dialect", "direct", "names", "sql")

    def __init__(self, stmt: Executable, dialect: Dialect) -> None:
        compiled: Any = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
        self.compiled = compiled
        self.dialect = dialect
        # Expanding parameters (`IN` over a list) are rendered into the SQL per execution.
        converted = dollar_placeholders(compiled.string)
        self.direct = (
            converted is not None
            and not compiled.post_compile_params
            and not compiled.literal_execute_params
        )
        sql_and_names: tuple[str, tuple[str, ...]] = converted or (compiled.string, ())
        self.sql, self.names = sql_and_names
        self.bind_processors: dict[str, Processor] = dict(compiled._bind_processors)
        self.convert: RowConverter | Literal[False] | None = False  # False: not known yet

    def converter(self, description: Sequence[Any]) -> RowConverter | None:
        """The result processors of the columns, as SQLAlchemy picks them: by the column's
        type and the type code the driver reports (numeric types depend on it); known after
        the first execution, the same for every later one."""
        dialect = self.dialect
        columns = self.compiled._result_columns
        if len(columns) != len(description):
            raise RuntimeError(f"{len(description)} columns came for {len(columns)} selected.")
        processors = [
            entry.type.dialect_impl(dialect).result_processor(dialect, column[1])
            for entry, column in zip(columns, description, strict=True)
        ]
        self.convert = convert = _converter(processors)
        return convert

    def parameters(self, params: dict[str, Any]) -> list[Any]:
        """The values of the statement's `$n` placeholders, in their order."""
        values: dict[str, Any] = self.compiled.construct_params(params, _check=False)
        for name, process in self.bind_processors.items():
            if name in values:
                values[name] = process(values[name])
        return [values[name] for name in self.names]


def _converter(processors: Sequence[Processor | None]) -> RowConverter | None:
    """A function applying `processors` to each row's values (None: every value is kept)."""
    if not any(processors):
        return None
    names = [f"v{i}" for i in range(len(processors))]
    values = ", ".join(
        name if process is None else f"p{i}({name})"
        for i, (name, process) in enumerate(zip(names, processors, strict=True))
    )
    source = f"def convert(rows):\n    return [({values},) for {', '.join(names)}, in rows]\n"
    env: dict[str, Any] = {f"p{i}": p for i, p in enumerate(processors) if p is not None}
    exec(compile(source, "<driver row converter>", "exec"), env)
    convert: RowConverter = env["convert"]
    return convert


# Plans by the statement's id; the statement is held with its plan, so its id is not reused.
_PLANS: dict[int, tuple[Executable, _Plan]] = {}


def _plan(stmt: Executable, dialect: Dialect) -> _Plan:
    hit = _PLANS.get(id(stmt))
    if hit is None or hit[0] is not stmt:
        hit = _PLANS[id(stmt)] = (stmt, _Plan(stmt, dialect))
    return hit[1]


def _direct_plan(connection: Connection, stmt: Executable) -> _Plan | None:
    """The plan of `stmt` when it may run on the driver directly (see the module
    docstring); None when it must go through `connection.execute`."""
    dialect = connection.dialect
    dispatch = connection.dispatch  # the engine's listeners and the connection's own
    if (
        dialect.driver != "psycopg"
        or dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or dispatch.before_execute
        or dispatch.after_execute
    ):
        return None
    plan = _plan(stmt, dialect)
    return plan if plan.direct else None


def fetch_rows(
    connection: Connection, stmt: Executable, params: dict[str, Any]
) -> Sequence[Sequence[Any]]:
    """Every row of `stmt` (a statement kept and reused, never one built per call) with
    `params`, as `connection.execute(stmt, params).all()` returns them."""
    plan = _direct_plan(connection, stmt)
    if plan is None:
        return connection.execute(stmt, params).all()
    values = plan.parameters(params)
    rows: list[tuple[Any, ...]]
    convert = plan.convert
    driver_connection: Any = connection.connection.driver_connection
    # The description (psycopg builds a column object per column each time it is read) is
    # needed only once per statement, to pick the converter.
    if isinstance(driver_connection, psycopg.AsyncConnection):
        # An asyncio engine: this runs in its greenlet (`AsyncConnection.run_sync`), which
        # awaits each driver call on the request's loop.
        async_cursor = psycopg.AsyncRawCursor(driver_connection)
        try:
            await_only(async_cursor.execute(plan.sql, values))
            rows = await_only(async_cursor.fetchall())
            if convert is False:
                convert = plan.converter(async_cursor.description or ())
        finally:
            await_only(async_cursor.close())
    else:
        with psycopg.RawCursor(driver_connection) as cursor:
            cursor.execute(plan.sql, values)
            rows = cursor.fetchall()
            if convert is False:
                convert = plan.converter(cursor.description or ())
    return rows if convert is None else convert(rows)


async def fetch_rows_async(
    connection: AsyncConnection, stmt: Executable, params: dict[str, Any]
) -> Sequence[Sequence[Any]]:
    """`fetch_rows` on an asyncio engine's connection, awaited on psycopg's async cursor
    from the caller's coroutine: no greenlet (`AsyncConnection.run_sync` and each
    `await_only` in it cost a greenlet switch, some 0.04 ms of CPU per statement). A
    statement that cannot run on the driver directly, or a connection not yet (or no
    longer) holding its driver connection, goes through `run_sync` and `fetch_rows`."""
    sync = connection.sync_connection
    dbapi = None if sync is None or sync.invalidated else sync._dbapi_connection
    plan = None if sync is None or dbapi is None else _direct_plan(sync, stmt)
    driver_connection: Any = None if plan is None or dbapi is None else dbapi.driver_connection
    if plan is None or not isinstance(driver_connection, psycopg.AsyncConnection):
        return await connection.run_sync(fetch_rows, stmt, params)
    values = plan.parameters(params)
    async with psycopg.AsyncRawCursor(driver_connection) as cursor:
        await cursor.execute(plan.sql, values)
        rows: list[tuple[Any, ...]] = await cursor.fetchall()
        convert = plan.convert
        if convert is False:
            convert = plan.converter(cursor.description or ())
    return rows if convert is None else convert(rows)
