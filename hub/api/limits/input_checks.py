"""The checks on an operation's arguments and variables, made before any SQL runs.

The cost walk (`hub.api.limits.cost_walk`) checks each argument on its way, with the
variables' values: a page above `MAX_PAGE_SIZE` (100) (`page_size`), a list longer than
`max_list_length` (`nodes(ids:)`), a string longer than `max_string_length` (a filter) or
nesting deeper than `max_input_depth` is BAD_USER_INPUT (`check_input`, which also checks
the raw variables of every request, `hub.api.limits.cost`).
"""

from __future__ import annotations

from typing import Any

from hub.api.errors import BadUserInputError
from hub.api.limits.settings import LimitSettings
from hub.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


def check_input(value: Any, settings: LimitSettings, where: str) -> None:
    """BadUserInputError when `value` (an argument or variable, JSON-like) holds a string
    or list too long, or nests too deep; `where` names it in the message."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if len(item) > settings.max_string_length:
                raise BadUserInputError(
                    f"{where} holds a string of {len(item)} characters. "
                    f"At most {settings.max_string_length}.",
                    maxLength=settings.max_string_length,
                )
        elif isinstance(item, list | tuple | dict):
            if depth >= settings.max_input_depth:
                raise BadUserInputError(
                    f"{where} nests lists or objects deeper than {settings.max_input_depth}.",
                    maxDepth=settings.max_input_depth,
                )
            if len(item) > settings.max_list_length:
                raise BadUserInputError(
                    f"{where} holds a list or object of {len(item)} items. "
                    f"At most {settings.max_list_length}.",
                    maxItems=settings.max_list_length,
                )
            items = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in items)


def page_size(arguments: dict[str, Any]) -> int:
    """The page a connection's arguments ask for; BadUserInputError, worded as the
    resolver words it, for a size above 100 or below 0. (Cursors and `first` with `last`
    are the resolver's to refuse, before its SQL: a kept cost does not depend on them.)"""
    for name in ("first", "last"):
        value = arguments.get(name)
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise BadUserInputError(
                f"Argument '{name}' has value {value}. Must be between 0 and {MAX_PAGE_SIZE}.",
                argument=name,
                maxPageSize=MAX_PAGE_SIZE,
            )
    first, last = arguments.get("first"), arguments.get("last")
    if first is not None:
        return int(first)
    return int(last) if last is not None else DEFAULT_PAGE_SIZE
