"""What reading one delivery produces: records, rejects, and the delivery's counters.

Contract: every unit a source delivers (a CSV row, a JSON line, a `<Lease>`, an API item,
or the unreadable tail of a broken XML file) is counted exactly once, as accepted (a typed
record was yielded) or rejected (a `Reject` was yielded), so `delivered == accepted +
rejected` at every moment. Blank lines of text files are not units and are not counted.

A key repeated inside one delivery is not rejected: both records are yielded in delivery
order (the later line wins when the caller keeps the last record per key) and
`duplicate_keys` counts the repeats so that an operator can see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reject:
    """A delivered unit that could not become a record.

    `reason` is one sentence naming the field, the value and the rule it broke; `raw` is the
    delivered text (decoded leniently when its encoding was the problem); `origin` is the
    printable location (`employment_2022-02.csv:17`); `rule` names what was violated, for
    grouping (`enum:channel`, `date:received_at`, `required:birth_date`, `encoding`,
    `columns`, `csv`, `json`, `xml`, `line_too_long`, ...; `FieldError.rule`).
    """

    source: str
    record_key: str | None
    raw: str
    reason: str
    origin: str
    rule: str


@dataclass(slots=True)
class DeliveryStats:
    """Counters of one delivery; updated while it is read, final once `completed`."""

    source: str
    delivery: str
    accepted: int = 0
    rejected: int = 0
    duplicate_keys: int = 0
    completed: bool = False
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return self.accepted + self.rejected


class DeliveryReading(Generic[T]):
    """An iterator over one delivery's records and rejects, with its live `stats`.

    It reads lazily: nothing is fetched or opened before the first `next()`. It can be
    iterated once; reading the same delivery again means asking the connector again.
    `stats.completed` turns true only when the iteration reached the end without an error;
    a caller loads what it collected in one transaction only after that, so a failure
    part-way never leaves half a delivery in the hub.
    """

    def __init__(self, stats: DeliveryStats, produce: Callable[[DeliveryStats], Iterator[T]]):
        self.stats = stats
        self._produce = produce
        self._items: Iterator[T] | None = None

    def __iter__(self) -> Iterator[T]:
        # A `for` loop runs the generator itself (no Python-level __next__ per item); it is
        # created here but runs nothing before its first next(), so reading stays lazy.
        if self._items is None:
            self._items = self._run()
        return self._items

    def __next__(self) -> T:
        return next(iter(self))

    def _run(self) -> Iterator[T]:
        yield from self._produce(self.stats)
        self.stats.completed = True

    def __repr__(self) -> str:
        s = self.stats
        return (
            f"DeliveryReading(source={s.source!r}, delivery={s.delivery!r}, "
            f"accepted={s.accepted}, rejected={s.rejected}, completed={s.completed})"
        )


class Keyed(Protocol):
    @property
    def record_key(self) -> str: ...


K = TypeVar("K", bound=Keyed)


def count_outcomes(items: Iterable[K | Reject], stats: DeliveryStats) -> Iterator[K | Reject]:
    """Pass `items` through, counting accepted, rejected and repeated keys in `stats`.

    Keys seen in this delivery are remembered to count repeats (memory grows with the number
    of distinct keys of one delivery, not with the delivery's size in bytes).
    """
    seen: set[str] = set()
    for item in items:
        if isinstance(item, Reject):
            stats.rejected += 1
        else:
            stats.accepted += 1
            key = item.record_key
            if key in seen:
                stats.duplicate_keys += 1
            else:
                seen.add(key)
        yield item
