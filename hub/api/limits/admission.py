"""Admission of requests against a per-process cost budget.

On PostgreSQL a trivial query waited 23.2 s behind one expensive query (issue 16): work
was admitted without regard to its size. Here a request holds its requested cost from
admission until its response is ready, and the costs held at once stay within the
process's budget. Expensive requests (more than `CHEAP_SHARE` of the budget) may fill
only `EXPENSIVE_SHARE` of it, so the rest is always there for cheap ones: however many
expensive requests queue up, a cheap one is admitted at once. A request that does not
fit waits up to `admission_wait_ms` for others to finish, then is refused with
SERVER_BUSY (HTTP 503, `Retry-After`). A request costing more than the budget's share
is still admitted when nothing else holds any, so no ceiling can make a request
unservable.

Used on the server's event loop only (`hub.api.limits.guard` hands it there).
"""

from __future__ import annotations

import asyncio

from hub.api.limits.errors import ServerBusyError

CHEAP_SHARE = 0.05
EXPENSIVE_SHARE = 0.75


class AdmissionBudget:
    def __init__(self, budget: int, wait_s: float) -> None:
        self.budget = budget
        self.wait_s = wait_s
        self.held = 0
        self._waiting = 0
        self._changed: asyncio.Condition | None = None

    def _limit(self, cost: int) -> float:
        return self.budget if cost <= self.budget * CHEAP_SHARE else self.budget * EXPENSIVE_SHARE

    def _fits(self, cost: int) -> bool:
        return self.held == 0 or self.held + cost <= self._limit(cost)

    def try_admit(self, cost: int) -> bool:
        """Hold `cost` when it fits now (and nobody waits before it); else False."""
        if self._waiting or not self._fits(cost):
            return False
        self.held += cost
        return True

    async def admit(self, cost: int) -> None:
        """Hold `cost` of the budget; ServerBusyError when it does not fit in time."""
        if not self._fits(cost):
            if self._changed is None:
                self._changed = asyncio.Condition()
            self._waiting += 1
            try:
                async with self._changed:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: self._fits(cost)), self.wait_s
                    )
            except TimeoutError:
                raise ServerBusyError(
                    f"The server is busy with other expensive queries (cost {self.held} of "
                    f"{self.budget} held; this query {cost}). Retry shortly.",
                    retry_after=1,
                ) from None
            finally:
                self._waiting -= 1
        self.held += cost

    async def release(self, cost: int) -> None:
        self.held -= cost
        if self._changed is not None and self._waiting:
            async with self._changed:
                self._changed.notify_all()

    def release_now(self, cost: int) -> None:
        """`release` without awaiting: waiters, if any, are woken by a task."""
        self.held -= cost
        if self._changed is not None and self._waiting:
            asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()
