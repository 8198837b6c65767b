"""Resolving Relay nodes by their global ids through the request's DataLoaders.

A global id is strawberry's base64 of `TypeName:key`, the key being the node's stable
natural key: `hub_id` for persons and households, codes for territory, source record keys
for agency facts. Composite keys are joined with `:` with the free-text part last, so
splitting at most `n - 1` times recovers them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from hub.api.errors import BadUserInputError

R = TypeVar("R")
N = TypeVar("N")


def split_key(node_id: str, parts: int, type_name: str) -> tuple[str, ...]:
    """The `parts` fields of a composite node key; BadUserInputError when malformed."""
    fields = tuple(node_id.split(":", parts - 1))
    if len(fields) != parts or not all(fields):
        raise BadUserInputError(
            f"Node id {node_id!r} is not a {type_name} key ({parts} parts joined by ':').",
            argument="id",
        )
    return fields


def integer_key(node_id: str, type_name: str) -> int:
    if not node_id.isascii() or not node_id.isdigit():
        raise BadUserInputError(
            f"Node id {node_id!r} is not a {type_name} key (an integer).", argument="id"
        )
    return int(node_id)


async def load_nodes(
    loader: DataLoader[Any, R | None],
    keys: Sequence[Any],
    convert: Callable[[R], N],
) -> list[N | None]:
    """The nodes for `keys` in order, None where no record has the key."""
    records = await loader.load_many(list(keys))
    return [None if r is None else convert(r) for r in records]
