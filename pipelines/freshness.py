"""Is a source fresh? Judged by when it last delivered something new, not by its data's dates.

An agency's records carry their own dates (a 2022 survey delivered today is new to the hub),
and a rerun that reads nothing has no rows to judge; so freshness is the age of the source's
latest delivery that brought something new (`deliveries.last_new_delivery_at`), against the
source's window (`HUB_FRESHNESS_DAYS_<SOURCE>`, pipelines/settings.py). A source that never
delivered anything new, or not within its window, is stale until it does, however many
empty reruns pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pipelines import deliveries

SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Freshness:
    source: str
    window_days: float
    last_new_delivery_at: datetime | None
    age_days: float | None

    @property
    def fresh(self) -> bool:
        return self.age_days is not None and self.age_days <= self.window_days

    def description(self) -> str:
        if self.age_days is None:
            return f"{self.source} has not delivered anything yet"
        shown = f"{self.age_days:.1f} days ago"
        if self.fresh:
            return f"{self.source} last delivered something new {shown}"
        return (
            f"{self.source} has delivered nothing new for {self.age_days:.1f} days, longer "
            f"than its window of {self.window_days:g} days"
        )


def judge(
    session: Session, source: str, window_days: float, now: datetime | None = None
) -> Freshness:
    """The freshness of `source` at `now` (default: the current time)."""
    last = deliveries.last_new_delivery_at(session, source)
    if last is None:
        return Freshness(source, window_days, None, None)
    at = now or datetime.now(UTC)
    age = max((at - last).total_seconds(), 0.0) / SECONDS_PER_DAY
    return Freshness(source, window_days, last, age)
