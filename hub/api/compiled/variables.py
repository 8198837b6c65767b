"""The variables a field's selection uses (in its arguments and directives, through the
fragments it spreads): what a kept walk of the selection depends on beside the document
(`hub.api.compiled.selection.Walk.root_selection`)."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    VariableNode,
    Visitor,
    visit,
)

_KEPT = 1024
_VARIABLES: dict[int, tuple[FieldNode, tuple[str, ...]]] = {}


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.spreads: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.names.add(node.name.value)

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.spreads.add(node.name.value)


def variables_inside(
    node: FieldNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables the selection of `node` uses (in directives and arguments, through
    fragments), sorted."""
    kept = _VARIABLES.get(id(node))
    if kept is not None and kept[0] is node:
        return kept[1]
    found = _Variables()
    if node.selection_set is not None:
        visit(node.selection_set, found)
    seen: set[str] = set()
    while found.spreads - seen:
        name = min(found.spreads - seen)
        seen.add(name)
        if name in fragments:
            visit(fragments[name], found)
    if len(_VARIABLES) >= _KEPT:
        _VARIABLES.clear()
    names = tuple(sorted(found.names))
    _VARIABLES[id(node)] = (node, names)
    return names
