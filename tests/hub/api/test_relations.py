"""`shared_node`: a loaded record is converted once per request, and only when loaded."""

from __future__ import annotations

import asyncio
from typing import Any

from strawberry.dataloader import DataLoader

from hub.api.loaders import Loaders
from hub.api.relations import shared_node


def test_a_loaded_record_is_converted_once_and_shared() -> None:
    async def scenario() -> None:
        async def load(keys: list[int]) -> list[str]:
            return [f"record {k}" for k in keys]

        loader: DataLoader[int, str] = DataLoader(load_fn=load)
        loaders = Loaders(db=None)  # type: ignore[arg-type]  # the loader here is our own
        calls: list[str] = []

        def convert(record: str) -> dict[str, Any]:
            calls.append(record)
            return {"node": record}

        pending = shared_node(loaders, loader, 1, convert)  # not loaded yet: awaitable
        assert asyncio.iscoroutine(pending)
        first = await pending  # type: ignore[misc]
        assert first == {"node": "record 1"}
        again = shared_node(loaders, loader, 1, convert)  # loaded: converted now, once
        assert shared_node(loaders, loader, 1, convert) is again
        other = shared_node(loaders, loader, 2, convert)
        assert asyncio.iscoroutine(other)
        assert await other == {"node": "record 2"}  # type: ignore[misc]
        assert calls == ["record 1", "record 1", "record 2"]

    asyncio.run(scenario())
