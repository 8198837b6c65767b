"""`shared_node`, `ToOne` and `warm`: loaded records are converted once per request, and
only what is not loaded yet is loaded or waited for."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strawberry.dataloader import DataLoader

from hub.api import relations
from hub.api.access.rows import NONE
from hub.api.loaders import Loaders
from hub.api.relations import ToOne, shared_node


def test_a_loaded_record_is_converted_once_and_shared() -> None:
    async def scenario() -> None:
        async def load(keys: list[int]) -> list[str]:
            return [f"record {k}" for k in keys]

        loader: DataLoader[int, str] = DataLoader(load_fn=load)
        loaders = Loaders(db=None, rows=NONE)  # type: ignore[arg-type]  # the loader here is our own
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


class _Source:
    def __init__(self, key: int | None) -> None:
        self.key = key


class _Context:
    def __init__(self, loaders: Loaders) -> None:
        self.loaders = loaders


class _Info:
    def __init__(self, loaders: Loaders) -> None:
        self.context = _Context(loaders)


def _loaders_with(loader: DataLoader[int, str | None]) -> Loaders:
    loaders = Loaders(db=None, rows=NONE)  # type: ignore[arg-type]  # the loader here is our own
    loaders.__dict__["things"] = loader  # Loaders creates its loaders lazily, by name
    return loaders


def _required_node(record: str | None) -> dict[str, Any]:
    if record is None:
        raise LookupError("missing")
    return {"node": record}


def test_a_to_one_relation_resolves_now_once_loaded_and_shares_its_node() -> None:
    async def scenario() -> None:
        loads: list[list[int]] = []

        async def load(keys: list[int]) -> list[str | None]:
            loads.append(keys)
            return [None if k == 9 else f"record {k}" for k in keys]

        for shared in (False, True):
            loads.clear()
            loader: DataLoader[int, str | None] = DataLoader(load_fn=load)
            loaders = _loaders_with(loader)
            relation = ToOne("things", "key", _required_node, shared=shared)
            info: Any = _Info(loaders)
            assert relation.resolve(_Source(None), info) is None  # no key: no relation
            assert await relation.resolve(_Source(1), info) == {"node": "record 1"}
            assert loads == [[1]]
            node = relation.resolve(_Source(1), info)  # loaded: now, not awaitable
            assert node == {"node": "record 1"}
            assert (relation.resolve(_Source(1), info) is node) is shared  # one shared node
            await loader.load(9)
            with pytest.raises(LookupError):  # a missing required record
                relation.resolve(_Source(9), info)

    asyncio.run(scenario())


def test_warm_waits_only_for_what_is_not_loaded_and_raises_a_loaded_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relations, "node_selection", lambda info: {"thing", "unselected"})
    batches: list[list[int]] = []

    async def load(keys: list[int]) -> list[str | None]:
        batches.append(keys)
        return [f"record {k}" for k in keys]

    def things(loaders: Loaders) -> tuple[DataLoader[Any, Any], Any]:
        return loaders.things, lambda node: node.key  # type: ignore[attr-defined]

    async def scenario() -> None:
        loader: DataLoader[int, str | None] = DataLoader(load_fn=load)
        info: Any = _Info(_loaders_with(loader))
        nodes = [_Source(1), _Source(2), _Source(1), _Source(None)]
        loader.prime_many({1: "primed 1", 2: "primed 2"})
        warming = relations.warm(info, nodes, {"thing": things})
        with pytest.raises(StopIteration):  # done at once: it never waits on the loop
            warming.send(None)
        assert batches == []  # everything was primed: nothing to load or wait for
        await relations.warm(info, [*nodes, _Source(3)], {"thing": things})
        assert batches == [[3]]  # only the missing key, in one batch
        assert loader.load(3).result() == "record 3"  # type: ignore[attr-defined]
        failed: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        failed.set_exception(LookupError("the batch failed"))
        loader.cache_map.set(4, failed)  # a loaded error is raised, as load_many raises it
        with pytest.raises(LookupError, match="the batch failed"):
            await relations.warm(info, [_Source(4)], {"thing": things})

    asyncio.run(scenario())
