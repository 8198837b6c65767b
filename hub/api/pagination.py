"""Relay cursor connections with offset cursors, paginated in the database.

A cursor is the opaque (base64) position of an edge in the ordered result. The caller asks
for `first` edges `after` a cursor, or `last` edges `before` one; at most `MAX_PAGE_SIZE`
(100) per page, and `DEFAULT_PAGE_SIZE` when neither `first` nor `last` is given. A larger
page, a negative count, `first` together with `last`, or a cursor this API did not issue is
a BAD_USER_INPUT error.

`PageWindow` turns a request into `OFFSET`/`LIMIT`: the data layer fetches `limit + 1`
rows so `hasNextPage` is known without counting. Only `last` without `before` needs the
total, which the caller passes lazily. `totalCount` is a field of its own and is counted
only when the query selects it.

Offsets (not keysets) keep every ordering enum simple; a page boundary can shift when a load
commits between two page requests, which is acceptable for an analytical API whose loads run
a few times a day.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry
from strawberry import relay

from hub.api.errors import BadUserInputError
from hub.api.fields import described

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"

T = TypeVar("T")
R = TypeVar("R")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str, argument: str) -> int:
    """The offset in `cursor`; BadUserInputError when it is not one of ours."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    offset = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not offset.isdigit():
        raise BadUserInputError(
            f"Argument '{argument}' has value {cursor!r}. Not a cursor issued by this API.",
            argument=argument,
        )
    return int(offset)


@dataclass(frozen=True, slots=True)
class PageArgs:
    """The four Relay pagination arguments, validated (see the module docstring)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None:
            raise BadUserInputError(
                "Arguments 'first' and 'last' cannot be used together.", argument="last"
            )
        for name, value in (("first", self.first), ("last", self.last)):
            if value is None:
                continue
            if value < 0 or value > MAX_PAGE_SIZE:
                raise BadUserInputError(
                    f"Argument '{name}' has value {value}. Must be between 0 and {MAX_PAGE_SIZE}.",
                    argument=name,
                    maxPageSize=MAX_PAGE_SIZE,
                )
        if self.after is not None:
            decode_cursor(self.after, "after")
        if self.before is not None:
            decode_cursor(self.before, "before")

    @property
    def needs_total(self) -> bool:
        return self.last is not None and self.before is None


@dataclass(frozen=True, slots=True)
class PageWindow:
    """Rows `[offset, offset + limit)` of the ordered result."""

    offset: int
    limit: int
    backward: bool

    @classmethod
    def of(cls, args: PageArgs, total: int | None = None) -> PageWindow:
        start = decode_cursor(args.after, "after") + 1 if args.after is not None else 0
        end = decode_cursor(args.before, "before") if args.before is not None else None
        if args.last is not None:
            if end is None:
                if total is None:
                    raise ValueError("'last' without 'before' needs the total count.")
                end = total
            begin = max(start, end - args.last)
            return cls(offset=begin, limit=max(0, end - begin), backward=True)
        size = args.first if args.first is not None else DEFAULT_PAGE_SIZE
        if end is not None:
            size = min(size, max(0, end - start))
        return cls(offset=start, limit=size, backward=False)


@strawberry.type(name="Edge", description="An item of a connection and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        resolver=lambda self: encode_cursor(self.offset),  # only when selected
        description="The position of the item, for after/before.",
    )
    node: T
    offset: strawberry.Private[int]


@strawberry.type(name="Connection", description="A page of a list, with Relay cursors.")
class Connection(Generic[T]):
    """Relay's `edges` and `pageInfo`, plus `totalCount`, counted only when selected."""

    page_info: relay.PageInfo
    edges: list[Edge[T]]
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @described("How many items the whole list has (all pages).")
    async def total_count(self) -> int:
        return await self.count()


def _edges_of(items: Sequence[T], start: int) -> list[Edge[T]]:
    """An edge per item, the first at offset `start`."""
    return [Edge(offset=start + i, node=item) for i, item in enumerate(items)]


def build_connection(
    edges: list[Edge[T]],
    size: int,
    window: PageWindow,
    *,
    has_more: bool,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """The connection whose `size` edges were fetched at `window` (`has_more`: a row lay
    past it)."""
    start = window.offset
    page_info = relay.PageInfo(
        has_next_page=has_more,
        has_previous_page=start > 0,
        start_cursor=encode_cursor(start) if size else None,
        end_cursor=encode_cursor(start + size - 1) if size else None,
    )
    return Connection(edges=edges, page_info=page_info, count=count)


async def _as_they_are(items: Sequence[T]) -> Sequence[T]:
    return items


async def paginate(
    args: PageArgs,
    fetch: Callable[[int, int], Awaitable[Sequence[T]]],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A connection over a database list: `fetch(offset, limit)` reads one page in SQL.

    `count()` is awaited at most once per request field, and only when needed.
    """
    return await paginate_rows(args, fetch, count, _as_they_are)


async def paginate_rows(
    args: PageArgs,
    fetch: Callable[[int, int], Awaitable[Sequence[R]]],
    count: Callable[[], Awaitable[int]],
    nodes: Callable[[Sequence[R]], Awaitable[Sequence[T]]],
) -> Connection[T]:
    """`paginate` over what `fetch` reads (a statement's rows, say): the page's edges are
    an `Edge` per node of `nodes(rows)`."""
    cached: list[int] = []

    async def counted() -> int:
        if not cached:
            cached.append(await count())
        return cached[0]

    total = await counted() if args.needs_total else None
    window = PageWindow.of(args, total)
    rows = list(await fetch(window.offset, window.limit + 1)) if window.limit > 0 else []
    has_more = len(rows) > window.limit
    items = rows[: window.limit]
    edges = _edges_of(await nodes(items), window.offset)
    return build_connection(edges, len(items), window, has_more=has_more, count=counted)


def connection_of_list(items: Sequence[T], args: PageArgs) -> Connection[T]:
    """A connection over a list already in memory (a person's loans, a household's members)."""
    window = PageWindow.of(args, len(items))
    page = items[window.offset : window.offset + window.limit]
    has_more = window.offset + window.limit < len(items)
    total = len(items)

    async def count() -> int:
        return total

    edges = _edges_of(page, window.offset)
    return build_connection(edges, len(page), window, has_more=has_more, count=count)


def paged(convert: Callable[[R], T], args: PageArgs) -> Callable[[Sequence[R]], Connection[T]]:
    """A page of `args` over loaded records, each converted to its node (for `now_or_later`)."""

    def page(records: Sequence[R]) -> Connection[T]:
        return connection_of_list([convert(r) for r in records], args)

    return page
