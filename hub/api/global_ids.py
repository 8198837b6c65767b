"""The Relay root fields `node(id:)` and `nodes(ids:)`, with messages written for the client.

strawberry's own fields parse global ids while converting arguments, so a malformed id
reached the client as Python's words ("Incorrect padding"), and one bad id in `nodes`
nulled the whole list. Here each id is parsed by `parse_global_id`, whose error names the
argument as the client wrote it (`id`, or `ids` with the index) and says what was
expected; `nodes` answers null for a bad entry, with its error at that entry's path, and
resolves the rest, one `resolve_nodes` call per type as strawberry does.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import defaultdict
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.relay.types import GlobalID, GlobalIDValueError
from strawberry.types import Info
from strawberry.types.base import get_object_definition
from strawberry.types.cast import cast as strawberry_cast

from hub.api.access.rule_lookup import visible_type
from hub.api.errors import ApiError, BadUserInputError
from hub.api.fields import described

EXPECTED = "Expected the `id` of an object this API returned (base64 of 'Type:key')."


def parse_global_id(info: Info, argument: str, value: str) -> tuple[type[relay.Node], str]:
    """The node type and key that `value` names; BadUserInputError naming `argument`."""
    try:
        global_id = GlobalID.from_id(value)
    except GlobalIDValueError:
        raise BadUserInputError(
            f"Argument '{argument}' has value {value!r}. Not a global id. {EXPECTED}",
            argument=argument,
        ) from None
    try:
        node_type = global_id.resolve_type(info)
    except GlobalIDValueError:
        raise BadUserInputError(
            f"Argument '{argument}' has value {value!r}, a global id of type "
            f"{global_id.type_name!r}, which this API does not have. {EXPECTED}",
            argument=argument,
        ) from None
    return node_type, global_id.node_id


def _visible(node_type: type[relay.Node], info: Info) -> bool:
    """Whether the caller's role sees objects of `node_type` at all (the rule table)."""
    name = get_object_definition(node_type, strict=True).name
    return visible_type(name, info.context.principal.role)


async def _resolved(node_type: type[relay.Node], keys: list[str], info: Info) -> list[Any]:
    found = node_type.resolve_nodes(info=info, node_ids=keys, required=False)
    nodes = await found if inspect.isawaitable(found) else found
    return [None if n is None else strawberry_cast(node_type, n) for n in nodes]


async def _resolve_group(node_type: type[relay.Node], keys: list[str], info: Info) -> list[Any]:
    """The nodes of `keys`, or for each key its own error when the batch was refused."""
    try:
        return await _resolved(node_type, keys, info)
    except ApiError:
        if len(keys) == 1:
            raise
    outcomes: list[Any] = []
    for key in keys:
        try:
            outcomes.extend(await _resolved(node_type, [key], info))
        except ApiError as error:
            outcomes.append(error)
    return outcomes


@strawberry.type
class NodeQuery:
    @described("Any object by its global id; null when it does not exist.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")],
    ) -> relay.Node | None:
        node_type, key = parse_global_id(info, "id", id)
        if not _visible(node_type, info):
            return None  # as for an id that does not exist: no hint
        (node,) = await _resolved(node_type, [key], info)
        return cast("relay.Node | None", node)

    @described(
        "Objects by their global ids, in order; null where one does not exist, "
        "and null with an error at its index where an id is malformed."
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="The IDs of the objects.")
        ],
    ) -> list[relay.Node | None]:
        results: list[Any] = [None] * len(ids)
        groups: defaultdict[type[relay.Node], list[tuple[int, str]]] = defaultdict(list)
        for index, value in enumerate(ids):
            try:
                node_type, key = parse_global_id(info, f"ids[{index}]", value)
            except BadUserInputError as error:
                results[index] = error
                continue
            if _visible(node_type, info):
                groups[node_type].append((index, key))
        resolved = await asyncio.gather(
            *(_resolve_group(t, [key for _, key in entries], info) for t, entries in groups.items())
        )
        for entries, outcomes in zip(groups.values(), resolved, strict=True):
            for (index, _), outcome in zip(entries, outcomes, strict=True):
                results[index] = outcome
        # graphql-core raises an Exception item as that entry's error: null at ["nodes", i].
        return results
