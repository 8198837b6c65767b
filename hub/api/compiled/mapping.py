"""One declared mapping per GraphQL object type: where each field's value lies in SQL.

A type's fields map to

- `Leaf`: a scalar or enum, an SQL expression over the type's row (a column, or a value
  derived in SQL such as `isOpen` or soums from tiyin); how its JSON is written (booleans,
  timestamps, enum names) follows from the field's GraphQL type (`hub.api.compiled.compile`);
- `LeafList`: a list of enum values held as a JSON array column;
- `Same`: an object built from the same row (a household's address, the parts of the
  statistics);
- `One`: a to-one relation, the related table's row matching the join (the first by
  `order` when several may);
- `Many`: a to-many relation, as a Relay connection (`connection=True`) or a list, in its
  default order;
- `Entries`: a list built from the items of a JSON object column, by key (the statistics'
  breakdowns);
- `Rows`: a list of objects, one per row of a query of their own (counts by group, say).

A row here is whatever the parent hands down: an alias of the type's table, a page
subquery over it (same column names), or a JSON column (`Same` passes `source`'s result).
The to-many orders are the ones the DataLoaders read with (`hub.api.loaders` takes them
from `ORDERS`), so the compiled and the regular path list in one order, and each order
ends with a unique key so that offsets are stable. `tests/hub/api/compiled` checks every
mapped field against the regular resolvers on every row of the fixture graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, String, cast, literal_column, select

from hub.api.compiled.diagnostics_map import DIAGNOSTICS, MAHALLA_DIAGNOSTICS, series
from hub.api.compiled.kinds import (
    ORDERS,
    Entries,
    Entry,
    FieldMap,
    Leaf,
    LeafList,
    Many,
    One,
    Rows,
    Same,
)
from hub.api.compiled.people_map import PEOPLE
from hub.api.compiled.provenance_map import PROVENANCE
from hub.api.compiled.records_map import RECORDS
from hub.api.compiled.territory_map import TERRITORY
from hub.api.people.records import PERSON

__all__ = [
    "MAPPINGS",
    "NODE_IDS",
    "NODE_KEYS",
    "NOT_FOR_THE_PUBLIC",
    "NOT_WITHIN_A_TERRITORY",
    "ORDERS",
    "Entries",
    "Entry",
    "FieldMap",
    "Leaf",
    "LeafList",
    "Many",
    "One",
    "Rows",
    "Same",
]

MAPPINGS: dict[str, dict[str, FieldMap]] = {
    **PEOPLE,
    **TERRITORY,
    **RECORDS,
    **PROVENANCE,
    **DIAGNOSTICS,
    # The diagnostics of each territory (`diagnostics_map`).
    "Region": {**TERRITORY["Region"], "monthly": series("region")},
    "District": {**TERRITORY["District"], "monthly": series("district")},
    "Mahalla": {**TERRITORY["Mahalla"], **MAHALLA_DIAGNOSTICS},
}
# Fields the regular path answers for some callers: the public's `values` (hidden item by
# item in the resolver), and for a caller limited to a territory a mahalla's series
# (`series.monthly_series`: a mahalla outside it has no months) and a lease's household
# (none when its lessee lies outside it, which the join does not see).
NOT_FOR_THE_PUBLIC = frozenset({("IndicatorMonth", "values")})
NOT_WITHIN_A_TERRITORY = frozenset({("Mahalla", "monthly"), ("LandLease", "household")})

# The key of each node type: the column its relay id is made of (`resolve_id` gives it as
# text) and, but for persons, the one `node(id:)` reads it by (`hub.api.compiled.roots`).
NODE_KEYS: dict[str, str] = {
    "Person": "hub_id",
    "Household": "hub_id",
    "Region": "code",
    "District": "code",
    "Mahalla": "code",
    "Assistant": "id",
    "TaxRegistration": "tin",
    "EmploymentRecord": "record_no",
    "LandLease": "lease_id",
    "Parcel": "cadastre",
    "Business": "tin",
    "Loan": "loan_id",
    "Appeal": "appeal_id",
    "QuarantinedRecord": "id",
}


def _joined(*parts: ColumnElement[Any]) -> ColumnElement[Any]:
    text: ColumnElement[Any] = cast(parts[0], String)
    for part in parts[1:]:
        text = text.op("||")(literal_column("':'")).op("||")(cast(part, String))
    return text


def _conflict_id(row: Any) -> ColumnElement[Any]:
    hub_id = select(PERSON.c.hub_id).where(PERSON.c.id == row.c.person_id).correlate_except(PERSON)
    return _joined(hub_id.scalar_subquery(), row.c.attribute, row.c.source, row.c.record_key)


# The relay id's key of the node types no one column keys, as their `resolve_id` writes it
# ("notebook:source:record key", ...): their ids compile, `node(id:)` of them does not.
NODE_IDS: dict[str, Callable[[Any], ColumnElement[Any]]] = {
    "NotebookEntry": lambda row: _joined(row.c.notebook, row.c.source, row.c.record_key),
    "SourceRecord": lambda row: _joined(row.c.source, row.c.record_key),
    "Delivery": lambda row: _joined(row.c.id),
    "PersonConflict": _conflict_id,
}
