"""Row filters: which rows of a type a principal may see, as SQL conditions.

The rule table names one filter per type (`hub.api.access.rules`): `territory` (the row's
mahalla lies in the agency key's region or district: a range of mahalla codes, since codes
nest, see `hub.api.territory.codes`) and `source_scope` (a source record of a source the
agency key holds a scope for; records of sources no agency owns, the survey and the
register, stay visible). The loaders and list queries add the condition to their WHERE
clause, so a row outside never leaves the database and counts and cursors agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_, not_, or_

from hub.api.access.rules import SOURCE_SCOPE, TERRITORY
from hub.api.principal import SOURCE_SCOPES, Principal, Role
from hub.api.territory.codes import mahalla_code_range


@dataclass(frozen=True, slots=True)
class RowFilters:
    """The row filters of one principal: what the loaders and lists add to their WHERE.

    `territory` is the (lowest, highest) mahalla code of the key's region or district, or
    None; `sources` the sources whose records the key may see (None: all of them)."""

    territory: tuple[str, str] | None = None
    sources: frozenset[str] | None = None

    @classmethod
    def of(cls, principal: Principal) -> RowFilters:
        if principal.role is not Role.AGENCY:
            return NONE
        prefix = principal.district_code or principal.region_code
        held = SOURCE_SCOPES & principal.scopes
        return cls(
            territory=None if prefix is None else mahalla_code_range(prefix),
            sources=None if held == SOURCE_SCOPES else frozenset(held),
        )

    @property
    def restricts(self) -> bool:
        """Whether any filter restricts anything."""
        return self.territory is not None or self.sources is not None

    def active(self, names: Names) -> bool:
        """Whether the filters `names` (a type's, from the table) restrict anything."""
        for name in _each(names):
            if name == TERRITORY and self.territory is not None:
                return True
            if name == SOURCE_SCOPE and self.sources is not None:
                return True
        return False

    def condition(self, names: Names, table: Table) -> ColumnElement[bool] | None:
        """The filters `names` on `table`'s rows (None when they restrict nothing)."""
        conditions = [c for c in (self._one(n, table) for n in _each(names)) if c is not None]
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else and_(*conditions)

    def _one(self, name: str, table: Table) -> ColumnElement[bool] | None:
        if name == TERRITORY and self.territory is not None:
            low, high = self.territory
            column = table.c.mahalla_code
            return and_(column >= low, column <= high)
        if name == SOURCE_SCOPE and self.sources is not None:
            column = table.c.source
            owned = not_(column.in_(sorted(SOURCE_SCOPES)))
            if not self.sources:
                return owned
            return or_(owned, column.in_(sorted(self.sources)))
        return None

    def key(self) -> tuple[object, ...]:
        """What the statements built with these filters differ by: a kept statement's
        name includes it, since the conditions carry their values."""
        return (self.territory, self.sources)


NONE = RowFilters()
# One filter's name, several, or none.
Names = str | tuple[str, ...] | None


def _each(names: Names) -> tuple[str, ...]:
    if names is None:
        return ()
    return (names,) if isinstance(names, str) else names
