"""Fetching the next API page while the current one is parsed: one worker thread, in order.

`prefetched(pages)` runs the iterator `pages` (which fetches and checks pages) in a worker
thread and yields what it produces, in the order it produced it. While the caller parses one
page, the worker waits for the server's next one, so a walk costs about the larger of the
server's time and the parsing time instead of their sum.

Contract, the same as iterating `pages` directly:

- nothing runs before the first `next()`;
- pages come out in the order `pages` yields them; beyond the page the caller holds, at most
  `ahead` pages wait in the queue and one more is being fetched (`pages_ahead(ahead)`);
- an exception raised by `pages` (a fatal HTTP status, a repeated page token, retries used
  up) is raised by `prefetched` at the same point: after every page produced before it;
- when the caller stops early (closes the generator or lets it go), the worker stops before
  fetching another page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.1


class _End:
    """The worker's last message: the iterator ended (`error` None) or raised `error`."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def _offer(queue: Queue[object], message: object, stop: threading.Event) -> bool:
    """Put `message` once there is room; False if the consumer stopped first."""
    while not stop.is_set():
        try:
            queue.put(message, timeout=_POLL_SECONDS)
        except Full:
            continue
        return True
    return False


def _work(pages: Iterator[T], queue: Queue[object], stop: threading.Event) -> None:
    try:
        for page in pages:
            if not _offer(queue, page, stop):
                return
    except BaseException as exc:  # noqa: BLE001 - handed over, raised in the consumer
        _offer(queue, _End(exc), stop)
    else:
        _offer(queue, _End(None), stop)


def pages_ahead(ahead: int) -> int:
    """How many pages beyond the caller's current one the worker may have fetched."""
    return ahead + 1


def prefetched(pages: Iterator[T], ahead: int = 1, name: str = "page-prefetch") -> Iterator[T]:
    """Yield the items of `pages`, produced by a worker thread at most `ahead` items ahead."""
    queue: Queue[object] = Queue(maxsize=ahead)
    stop = threading.Event()
    worker = threading.Thread(target=_work, args=(pages, queue, stop), name=name, daemon=True)
    worker.start()
    try:
        while True:
            try:
                message = queue.get(timeout=_POLL_SECONDS)
            except Empty:
                if not worker.is_alive() and queue.empty():
                    raise RuntimeError(f"{name}: the worker thread ended unexpectedly") from None
                continue
            if isinstance(message, _End):
                if message.error is not None:
                    raise message.error
                return
            yield message  # type: ignore[misc]
    finally:
        stop.set()
