"""The FORBIDDEN errors of masked fields in a compiled root field's answer.

A field the caller's role sees only with scopes its key lacks (the rule table's MASK) is
null in the compiled statement's JSON (`Sel.masked`, `hub.api.compiled.compile`); the
regular path also gives each such null a located `FORBIDDEN` error naming the missing
scopes (`hub.api.access.guard.forbidden`). This module adds the same errors, read off the
answer: one for each object of the JSON holding a masked field, at that field's path
(list indexes included), located at the field's nodes.

The errors come in the regular path's order, which the equality tests pin down
(`tests/hub/api/compiled/test_masks.py`): field by field in the selection's order (a
field's subfields before the next field) and, for each field, object by object in the
lists' order (the regular path resolves a field for a whole page at once).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from graphql import FieldNode, GraphQLError, GraphQLOutputType, located_error
from graphql.pyutils import Path

from hub.api.access.guard import forbidden
from hub.api.principal import Principal


class Mask(NamedTuple):
    """A masked field of a walk (`hub.api.compiled.selection`): its response keys from the
    root field's value down (list indexes left out), its type and field names, its nodes
    and its GraphQL type."""

    keys: tuple[str, ...]
    type_name: str
    field_name: str
    nodes: list[FieldNode]
    field_type: GraphQLOutputType


# A trie of the masks' response keys: key -> the mask ending there, or the keys below it.
_Trie = dict[str, "Mask | _Trie"]


def _trie(masks: Sequence[Mask]) -> _Trie:
    """The masks' keys as a trie, in the order of the walk (the fields' order)."""
    root: _Trie = {}
    for mask in masks:
        level = root
        for key in mask.keys[:-1]:
            below = level.setdefault(key, {})
            assert isinstance(below, dict)
            level = below
        level[mask.keys[-1]] = mask
    return root


def mask_errors(
    value: Any, masks: Sequence[Mask], path: Path, principal: Principal
) -> Iterator[tuple[GraphQLError, Mask, Path]]:
    """The FORBIDDEN errors of `masks` in `value` (a root field's decoded answer at
    `path`), each with its mask (for its type) and its path."""
    yield from _errors([(value, path)], _trie(masks), principal)


def _objects(values: Iterable[tuple[Any, Path]]) -> Iterator[tuple[dict[str, Any], Path]]:
    """The objects among `values`, lists flattened in order (a null has no fields)."""
    for value, path in values:
        if isinstance(value, list):
            yield from _objects((item, path.add_key(i)) for i, item in enumerate(value))
        elif isinstance(value, dict):
            yield value, path


def _errors(
    values: Iterable[tuple[Any, Path]], trie: _Trie, principal: Principal
) -> Iterator[tuple[GraphQLError, Mask, Path]]:
    """Field by field in the selection's order, and for each field object by object."""
    objects = list(_objects(values))
    for key, below in trie.items():
        if isinstance(below, dict):
            yield from _errors(((o.get(key), p.add_key(key)) for o, p in objects), below, principal)
            continue
        error = forbidden(below.type_name, below.field_name, principal)
        assert error is not None, f"{below.type_name}.{below.field_name} is not masked"
        for _, at in objects:
            path = at.add_key(key)
            yield located_error(error, below.nodes, path.as_list()), below, path
