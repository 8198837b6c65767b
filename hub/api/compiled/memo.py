"""Compiled root fields kept by request: a repeated request does not walk its selection.

`compile_root` (`hub.api.compiled.execution`) walks a root field's selection, checks
every field against the caller's rules, turns the coerced arguments into the statement's
parameters and looks the statement of that shape up: some 50 to 90 microseconds of CPU
per request, as much as the rest of the execution around the statement. What it returns
depends only on

- the root field's nodes: the document's text, the operation's name and the field's
  response key name them,
- the coerced variable values (arguments, `@skip`/`@include`),
- the caller (`Principal`: role, scopes and territory decide the checks, the masks and
  the territory's parameters),
- the database's dialect and whether the request is audited (`Context.audited`),

so `RootMemo` keeps it under those, a `NotCompiled` decision as its reason. The kept
`Compiled` is only read by the requests that share it (its parameters are bound, never
changed). The memo holds at most `KEPT` entries (each holds its document's text, not the
parsed document) and is emptied when full, as the statements are; a value it cannot key
(an unhashable variable) is not kept.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from graphql import OperationDefinitionNode

KEPT = 2048

T = TypeVar("T")


def _frozen(value: Any) -> Hashable:
    """`value` (coerced variables: dicts, lists, scalars) as a hashable value."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return ("[", *(_frozen(item) for item in value))
    hash(value)  # TypeError for anything else unhashable
    return value  # type: ignore[no-any-return]


def root_key(
    operation: OperationDefinitionNode,
    response_key: str,
    variables: dict[str, Any],
    principal: Hashable,
    *rest: Hashable,
) -> tuple[Hashable, ...] | None:
    """The key of a root field's compiling (see the module docstring); None when the
    document's text is unknown (parsed without locations) or the variables cannot be
    keyed. The text is the cached document's own string, whose hash Python keeps."""
    location = operation.loc
    if location is None:
        return None
    name = operation.name.value if operation.name is not None else None
    try:
        key = (location.source.body, name, response_key, _frozen(variables), principal, *rest)
        hash(key)
    except TypeError:
        return None
    return key


class RootMemo(Generic[T]):
    """Root fields' compiled statements (or reasons they do not compile) by `root_key`."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._entries: dict[tuple[Hashable, ...], T | str] = {}

    def get(self, key: tuple[Hashable, ...]) -> T | str | None:
        return self._entries.get(key)

    def put(self, key: tuple[Hashable, ...], value: T | str) -> None:
        if len(self._entries) >= self._kept:
            self._entries.clear()
        self._entries[key] = value

    def clear(self) -> None:
        self._entries.clear()
