"""Following a relation through a DataLoader without paying for async when it is loaded.

graphql-core completes an object synchronously unless one of its fields returns an
awaitable; one awaitable field makes it gather every field of that object, and of every
object above it in a list, as asyncio tasks. On a page of 100 persons that bookkeeping
costs more than the SQL. So relation resolvers are plain functions that return the value
at once when the request's DataLoader already holds it (after `warm`, see below) and an
awaitable of it otherwise; graphql-core awaits whatever is awaitable. The schema sees the
declared type either way.

`warm` loads, for a page of nodes, every relation the query selects on them, all at once:
each loader still issues one statement for the whole page, and the fields then resolve
synchronously from the loaders' caches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

if TYPE_CHECKING:
    from hub.api.context import Info
    from hub.api.loaders import Loaders

V = TypeVar("V")
N = TypeVar("N")
T = TypeVar("T")


async def _later(future: Awaitable[V], convert: Callable[[V], N]) -> N:
    return convert(await future)


def now_or_later(loader: DataLoader[Any, V], key: Hashable, convert: Callable[[V], N]) -> N:
    """`convert(loaded value)`, now when the loader holds the key, else as an awaitable.

    Typed as the value because that is what the field resolves to; graphql-core awaits
    the awaitable case (the module docstring says why this is not an `async def`).
    """
    future = loader.load(key)
    if isinstance(future, asyncio.Future) and future.done():
        return convert(future.result())
    return cast(N, _later(future, convert))


def shared_node(
    loaders: Loaders,
    loader: DataLoader[Any, V],
    key: Hashable,
    convert: Callable[[V], N],
) -> N:
    """`now_or_later`, converting a loaded record once per request: the hundred persons of
    a page who live in twenty households share twenty household nodes.

    `convert` must be one long-lived function (a module-level one), since it is part of
    the memo's key."""
    memo = loaders.converted
    found = memo.get((convert, key), _MISSING)
    if found is not _MISSING:
        return cast(N, found)
    future = loader.load(key)
    if isinstance(future, asyncio.Future) and future.done():
        node = memo[(convert, key)] = convert(future.result())
        return node
    return cast(N, _later(future, convert))


_MISSING = object()


def optional(convert: Callable[[V], N]) -> Callable[[V | None], N | None]:
    """`convert`, passing a missing record (None) through."""

    def converted(record: V | None) -> N | None:
        return None if record is None else convert(record)

    return converted


# How to warm one relation of a node type: its loader, and the node's key for it (None:
# the node has no such relation).
Relation = Callable[["Loaders"], tuple[DataLoader[Any, Any], Callable[[Any], Hashable | None]]]


def fields_of(selections: Sequence[Selection]) -> list[SelectedField]:
    """The fields in `selections`, with those of inline fragments and fragment spreads."""
    return _fields(selections)


def _fields(selections: Sequence[Selection]) -> list[SelectedField]:
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append(selection)
        elif isinstance(selection, InlineFragment | FragmentSpread):
            found.extend(_fields(selection.selections))
    return found


def selected_paths(selections: Sequence[Selection], prefix: str = "") -> set[str]:
    """The dotted paths of the fields in `selections` and below them ("district",
    "district.region", ...), fragments included, by field name (not alias)."""
    paths: set[str] = set()
    for field in _fields(selections):
        path = prefix + field.name
        paths.add(path)
        if field.selections:
            paths |= selected_paths(field.selections, path + ".")
    return paths


def node_selections(info: Info) -> list[Selection]:
    """What the query selects on `edges.node` of the connection being resolved."""
    found: list[Selection] = []
    for connection in _fields(info.selected_fields):
        for edges in _fields(connection.selections):
            if edges.name != "edges":
                continue
            for node in _fields(edges.selections):
                if node.name == "node":
                    found.extend(node.selections)
    return found


def node_selection(info: Info) -> set[str]:
    """The field names the query selects on `edges.node` of the connection being resolved."""
    return {f.name for f in _fields(node_selections(info))}


async def warm(info: Info, nodes: Sequence[T], relations: Mapping[str, Relation]) -> None:
    """Load every relation in `relations` (GraphQL field name -> Relation) that the query
    selects on `nodes`, one batch per relation, concurrently."""
    if not nodes:
        return
    pending: list[Awaitable[Any]] = []
    for name in node_selection(info) & relations.keys():
        loader, key_of = relations[name](info.context.loaders)
        keys = list(dict.fromkeys(k for k in map(key_of, nodes) if k is not None))
        if keys:
            pending.append(loader.load_many(keys))
    if pending:
        await asyncio.gather(*pending)
