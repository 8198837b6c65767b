"""GraphQL types of the monthly indicator series: a month's figures and its revisions.

A figure's value for the public is checked by `hub.api.access.suppression` through
`suppressed` below (the month's whole set of figures decides which of them are hidden,
`hub.api.diagnostics.disclosure`); the set is worked out once per month and threshold.

A month answers its figures two ways: `figures`, an object per figure, and `names` with
`values`, two lists side by side. The lists cost a fraction of the objects (a mahalla's
year is some 400 figures, and completing an object per figure was most of a dashboard's
CPU); `values` hides the public's small counts item by item itself, each a null with a
SUPPRESSED error at its index, as the guard does for `IndicatorFigure.value`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import strawberry

from hub.api.access.suppression import small
from hub.api.context import Info
from hub.api.diagnostics.disclosure import hidden_figures, leader_of
from hub.api.diagnostics.periods import Month
from hub.api.diagnostics.series_data import RevisionRecord
from hub.api.errors import SuppressedError
from hub.api.fields import described
from hub.api.principal import Role


@dataclass(eq=False)
class MonthFigures:
    """One month's figures of one territory, and which of them the public may not see."""

    values: Mapping[str, float]
    _hidden: dict[int, frozenset[str]] = field(default_factory=dict)

    def hidden(self, threshold: int) -> frozenset[str]:
        found = self._hidden.get(threshold)
        if found is None:
            found = self._hidden[threshold] = hidden_figures(self.values, threshold)
        return found


@strawberry.type(
    description="One figure of a territory's month (hub.diagnostics.monthly names them)."
)
class IndicatorFigure:
    name: str = strawberry.field(
        description="e.g. households, placed, land.hectares, loans.count.<programme>, "
        "appeals.received.<topic>, appeals.resolution_rate."
    )
    value: float | None
    month: strawberry.Private[MonthFigures]

    def suppressed(self, field_name: str, threshold: int) -> bool:
        return self.name in self.month.hidden(threshold)


@strawberry.type(description="A change to a closed month's figure, made when late records arrived.")
class IndicatorRevision:
    name: str
    old_value: float | None
    new_value: float | None
    reason: str
    revised_at: datetime
    month: strawberry.Private[MonthFigures]

    def suppressed(self, field_name: str, threshold: int) -> bool:
        if self.name in self.month.hidden(threshold):
            return True
        value = self.old_value if field_name == "oldValue" else self.new_value
        return leader_of(self.name) is None and value is not None and small(round(value), threshold)


# The revisions of every month of one series, read once when first asked for.
RevisionsOf = Callable[[], Awaitable[Mapping[date, list[RevisionRecord]]]]


@strawberry.type(description="A territory's figures for one calendar month.")
class IndicatorMonth:
    month: Month
    figure_set: strawberry.Private[MonthFigures]
    revisions_of: strawberry.Private[RevisionsOf]

    @described(
        "The month's figures by name; only those of `names` when given (a name with no "
        "figure is left out)."
    )
    def figures(self, names: list[str] | None = None) -> list[IndicatorFigure]:
        values = self.figure_set.values
        chosen = values if names is None else [n for n in dict.fromkeys(names) if n in values]
        return [IndicatorFigure(name=n, value=values[n], month=self.figure_set) for n in chosen]

    @described("The names of the month's figures, sorted: the order `values` answers in.")
    def names(self) -> list[str]:
        return list(self.figure_set.values)

    @described(
        "The month's figure values in the order of `names` (the argument, else the field's): "
        "null for a name without a figure, and for the public null with a SUPPRESSED error "
        "where a count is small, as in `figures`."
    )
    def values(self, info: Info, names: list[str] | None = None) -> list[float | None]:
        values = self.figure_set.values
        chosen = list(values) if names is None else names
        found: list[Any] = [values.get(n) for n in chosen]
        context = info.context
        if context.principal.role is Role.PUBLIC:
            threshold = context.suppression_threshold
            hidden = self.figure_set.hidden(threshold)
            for at, name in enumerate(chosen):
                if name in hidden:
                    found[at] = SuppressedError(
                        f"IndicatorMonth.values ({name}) is suppressed: below {threshold}, or "
                        "it would reveal such a count by subtraction from its total.",
                        threshold=threshold,
                    )
        return cast("list[float | None]", found)

    @described("The changes made to this month's figures after it closed, oldest first.")
    async def revisions(self) -> list[IndicatorRevision]:
        found = await self.revisions_of()
        return [
            IndicatorRevision(
                name=r.name,
                old_value=r.old_value,
                new_value=r.new_value,
                reason=r.reason,
                revised_at=r.revised_at,
                month=self.figure_set,
            )
            for r in found.get(self.month, [])
        ]
