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

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.dataloader import DataLoader

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


class ToOne:
    """A to-one relation read through one of the request's DataLoaders: the node's
    attribute `key` is the loader's key (None: no related object), and `convert` turns the
    loaded record into the related node (`shared`: once per request, see `shared_node`).
    A resolver returns `relation.resolve(self, info)`."""

    def __init__(
        self,
        loader: str,
        key: str,
        convert: Callable[[Any], Any],
        *,
        shared: bool = False,
    ) -> None:
        self.loader = loader
        self.key = key
        self.convert = convert
        self.shared = shared

    def resolve(self, source: Any, info: Info) -> Any:
        """The related node, now or as an awaitable (see `now_or_later`)."""
        key = getattr(source, self.key)
        if key is None:
            return None
        loaders = info.context.loaders
        loader = getattr(loaders, self.loader)
        if self.shared:
            return shared_node(loaders, loader, key, self.convert)
        return now_or_later(loader, key, self.convert)


def optional(convert: Callable[[V], N]) -> Callable[[V | None], N | None]:
    """`convert`, passing a missing record (None) through."""

    def converted(record: V | None) -> N | None:
        return None if record is None else convert(record)

    return converted


# How to warm one relation of a node type: its loader, and the node's key for it (None:
# the node has no such relation).
Relation = Callable[["Loaders"], tuple[DataLoader[Any, Any], Callable[[Any], Hashable | None]]]


_NODE = "edges.node."
_PATHS_KEPT = 4096

# id(FieldNode) -> (the node, the paths selected below it). Documents are parsed once per
# text (the schema's parser cache), so the same query sends the same nodes every time;
# keeping the node makes a reused id impossible.
_PATHS: dict[int, tuple[FieldNode, frozenset[str]]] = {}


def _collect(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    prefix: str,
    into: set[str],
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            path = prefix + selection.name.value
            into.add(path)
            if selection.selection_set is not None:
                _collect(selection.selection_set, fragments, path + ".", into)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, prefix, into)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:  # validation already refused unknown fragments
                _collect(fragment.selection_set, fragments, prefix, into)


def field_paths(info: Info) -> frozenset[str]:
    """The dotted paths, by field name, of everything the query selects below the field
    being resolved ("district", "district.region", "edges.node.household", ...), through
    fragments. Directives are not evaluated: a path under `@skip` is still listed, which
    only makes a caller read something it will not show."""
    raw = info._raw_info
    nodes = raw.field_nodes
    if len(nodes) == 1:
        cached = _PATHS.get(id(nodes[0]))
        if cached is not None and cached[0] is nodes[0]:
            return cached[1]
    paths: set[str] = set()
    for node in nodes:
        if node.selection_set is not None:
            _collect(node.selection_set, raw.fragments, "", paths)
    found = frozenset(paths)
    if len(nodes) == 1:
        if len(_PATHS) >= _PATHS_KEPT:
            _PATHS.clear()
        _PATHS[id(nodes[0])] = (nodes[0], found)
    return found


def node_paths(info: Info) -> frozenset[str]:
    """`field_paths` below `edges.node` of the connection being resolved."""
    return frozenset(p[len(_NODE) :] for p in field_paths(info) if p.startswith(_NODE))


def node_selection(info: Info) -> set[str]:
    """The field names the query selects on `edges.node` of the connection being resolved."""
    return {p for p in node_paths(info) if "." not in p}


async def warm(info: Info, nodes: Sequence[T], relations: Mapping[str, Relation]) -> None:
    """Load every relation in `relations` (GraphQL field name -> Relation) that the query
    selects on `nodes`, one batch per relation, concurrently.

    Only what is not loaded yet is awaited: a page whose relations a bundle primed (see
    `hub.api.territory.bundles`) has nothing left to wait for, and gathering its hundred
    finished futures cost more than the rest of this function. A loaded value that is an
    error is awaited, so it is raised here as `load_many` would raise it."""
    if not nodes:
        return
    pending: list[Awaitable[Any]] = []
    for name in node_selection(info) & relations.keys():
        loader, key_of = relations[name](info.context.loaders)
        for key in dict.fromkeys(k for k in map(key_of, nodes) if k is not None):
            future = loader.load(key)
            if not (isinstance(future, asyncio.Future) and _loaded(future)):
                pending.append(future)
    if pending:
        await asyncio.gather(*pending)


def _loaded(future: asyncio.Future[Any]) -> bool:
    """Whether `future` holds a value (not an error, not cancelled)."""
    return future.done() and not future.cancelled() and future.exception() is None
