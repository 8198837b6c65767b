"""The root fields the compiler covers: what each reads, and the statement that answers it.

A root field is either one object found by a key (`person(pinfl:)`, `mahalla(code:)`, ...)
or a connection over a filtered, ordered list (`persons`, `mahallas`, ...). Arguments are
checked here as the resolvers check them; any argument the resolver would reject (or that
needs what the compiler leaves out: `person(hubId:)` follows merged hub ids) raises
`NotCompiled`, and the field goes the regular way, which raises the error the client
sees. Filters and orders are the data layer's own (`person_list_where`,
`territory_list_where`, ...), so both paths list the same rows in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, select
from strawberry.relay.types import GlobalID, GlobalIDValueError
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.arguments import convert_argument

from hub.api.activities import data as activities
from hub.api.compiled.audited import ONE, PAGE, PERSON_KEY, PersonsKind
from hub.api.compiled.compile import Builder
from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.mapping import NODE_KEYS
from hub.api.compiled.selection import Sel, Walk, named_object
from hub.api.errors import BadUserInputError
from hub.api.people import data as people
from hub.api.people.filters import HouseholdFilter, HouseholdOrderBy, PersonFilter, PersonOrderBy
from hub.api.principal import Role
from hub.api.provenance import data as provenance
from hub.api.scalars import SCALAR_MAP
from hub.api.territory import data as territory
from hub.api.territory.codes import checked_code
from hub.api.territory.data import TerritoryOrder
from hub.api.territory.filters import TerritoryFilter, TerritoryOrderBy

_PINFL = re.compile(r"^[0-9]{14}$")
KEY = "root_key"


@dataclass(frozen=True)
class Root:
    """A root field's plan: `shape` (with the selection, the statement's cache key) and
    `build`, the statement from a builder and the field's `Sel`."""

    shape: Hashable
    # The statement from a builder, the field's `Sel` and how it tells its persons
    # (`hub.api.compiled.audited`: a second column for `ONE` and `PAGE`).
    build: Callable[[Builder, Sel, PersonsKind | None], Select[Any]]
    single: bool  # one object: no row means NOT_FOUND, which the regular path raises
    page: tuple[str, ...] = ()  # a connection's offset and limit parameters
    type_name: str | None = None  # the object type selected (None: the field's own)
    nullable: bool = False  # one object or null: no row answers null


def _single(type_name: str, table: Table, column: str, *, nullable: bool = False) -> Root:
    def build(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
        assert sel.children is not None
        value = builder.object_json(type_name, table, sel.children)
        access = builder.access(type_name, table)
        columns = [builder.sql.as_text(value)]
        if persons == ONE:
            columns.append(table.c[PERSON_KEY])
        return select(*columns).where(
            table.c[column] == bindparam(KEY), *([] if access is None else [access])
        )

    return Root(
        ("single", type_name, column), build, single=True, type_name=type_name, nullable=nullable
    )


def _list(
    kind: Hashable,
    node_type: str,
    table: Table,
    where: Callable[[], list[ColumnElement[bool]]],
    order: Callable[[], list[ColumnElement[Any]]],
    page: tuple[str, str],
) -> Root:
    """A connection over `table`; `where` and `order` build their SQL only when the
    statement is built (once per shape)."""

    def build(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
        conditions, ordering = where(), order()
        query_type = builder.schema.query_type
        assert query_type is not None
        connection_type = named_object(query_type.fields[sel.name].type)
        assert connection_type is not None

        def condition(source: Any) -> ColumnElement[bool] | None:
            return and_(*conditions) if conditions else None

        value = builder.connection(
            connection_type,
            node_type,
            table,
            condition,
            lambda source: ordering,
            sel,
            paged_in_sql=True,
        )
        columns = [builder.sql.as_text(value)]
        if persons == PAGE:
            keys = builder.page_column(
                node_type, table, condition, lambda source: ordering, sel, PERSON_KEY
            )
            columns.append(builder.sql.as_text(keys))
        return select(*columns)

    return Root((kind, page), build, single=False, page=page)


def _checked(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except (BadUserInputError, ValueError) as exc:
        raise NotCompiled("arguments the regular path rejects") from exc


def _input(value: Any, type_: type) -> Any:
    """An input object's coerced value as the resolver receives it (strawberry's own
    conversion, which walks the type anew each time: kept per value, and input objects
    here hold scalars and enums only)."""
    if value is None:
        return None
    try:
        key = (type_, tuple(sorted(value.items())))
        hash(key)
    except TypeError:
        return convert_argument(value, type_, scalar_registry=_SCALARS, config=_CONFIG)
    converted = _CONVERTED.get(key)
    if converted is None:
        if len(_CONVERTED) >= _KEPT:
            _CONVERTED.clear()
        converted = _CONVERTED[key] = convert_argument(
            value, type_, scalar_registry=_SCALARS, config=_CONFIG
        )
    return converted


_CONVERTED: dict[tuple[type, tuple[Any, ...]], Any] = {}
_KEPT = 4096


_CONFIG = StrawberryConfig(scalar_map=SCALAR_MAP)
_SCALARS = {**DEFAULT_SCALAR_REGISTRY, **SCALAR_MAP}


def plan_root(name: str, arguments: dict[str, Any], walk: Walk) -> Root:
    """The plan of the root field `name` with graphql-core's coerced `arguments`; its
    values go into `walk.params`."""
    params = walk.params
    if name == "person":
        pinfl, hub_id = arguments.get("pinfl"), arguments.get("hubId")
        if hub_id is not None or pinfl is None or not _PINFL.match(pinfl):
            raise NotCompiled("person by hub id, or a rejected PINFL")
        params[KEY] = pinfl
        return _single("Person", people.PERSON, "pinfl")
    if name == "household":
        params[KEY] = arguments["hubId"]
        return _single("Household", people.HOUSEHOLD, "hub_id")
    if name in ("region", "district", "mahalla"):
        code = _checked(lambda: checked_code("code", arguments["code"], level=name))
        params[KEY] = code
        return _single(name.title(), territory.LEVEL_TABLES[name], "code")
    if name == "node":
        return _node(arguments["id"], params)
    if name == "deliveries":
        criteria = provenance.DeliveryCriteria(
            source=arguments.get("source"), status=arguments.get("status")
        )
        offset_limit = walk.page(arguments, prefix="root_")
        # The conditions carry their values: the criteria are the shape.
        return _list(
            ("deliveries", criteria),
            "Delivery",
            provenance.DELIVERY,
            lambda: provenance.delivery_list_where(criteria),
            provenance.delivery_list_order,
            offset_limit,
        )
    if name in ("persons", "households", "regions", "districts", "mahallas"):
        return _listed(name, arguments, walk)
    raise NotCompiled(f"Query.{name}")


# The node types `node(id:)` reads by their key (`NODE_KEYS`), as their `resolve_nodes`
# load them. Not persons: a merged hub id resolves to the person it was merged into.
NODE_TABLES: dict[str, Table] = {
    "Household": people.HOUSEHOLD,
    "Region": territory.REGION,
    "District": territory.DISTRICT,
    "Mahalla": territory.MAHALLA,
    "Assistant": territory.ASSISTANT,
    "TaxRegistration": activities.TAX,
    "EmploymentRecord": activities.EMPLOYMENT,
    "LandLease": activities.LEASE,
    "Parcel": activities.PARCEL,
    "Business": activities.BUSINESS,
    "Loan": activities.LOAN,
    "Appeal": activities.APPEAL,
}


def _node(value: str, params: dict[str, Any]) -> Root:
    """`node(id:)` for a node type read by one key: that type's branch (the selection is
    walked on the concrete type, so its inline fragments on other types drop out)."""
    try:
        global_id = GlobalID.from_id(value)
    except GlobalIDValueError as exc:
        raise NotCompiled("a malformed global id") from exc
    table = NODE_TABLES.get(global_id.type_name)
    if table is None:
        raise NotCompiled(f"node of type {global_id.type_name!r}")
    params[KEY] = global_id.node_id
    return _single(global_id.type_name, table, NODE_KEYS[global_id.type_name], nullable=True)


def _listed(name: str, arguments: dict[str, Any], walk: Walk) -> Root:
    # The resolvers check the page arguments first, then the filter.
    offset_limit = walk.page(arguments, prefix="root_")
    params = walk.params
    if name == "persons":
        person_filter = _input(arguments.get("filter"), PersonFilter) or PersonFilter()
        order_by = _input(arguments.get("orderBy"), PersonOrderBy)
        criteria = _checked(lambda: person_filter.criteria(order_by))
        values = people.person_list_parameters(criteria)
        params.update(values)
        return _list(
            ("persons", people.person_list_shape(criteria, values)),
            "Person",
            people.PERSON,
            lambda: people.person_list_where(criteria, values),
            lambda: people.person_list_order(criteria),
            offset_limit,
        )
    if name == "households":
        household_filter = _input(arguments.get("filter"), HouseholdFilter) or HouseholdFilter()
        order_by = _input(arguments.get("orderBy"), HouseholdOrderBy)
        criteria = _checked(lambda: household_filter.criteria(order_by))
        where, values = people.household_list_where(criteria)
        # The household conditions carry literal values: the criteria are the shape.
        params.update(values)
        return _list(
            ("households", criteria),
            "Household",
            people.HOUSEHOLD,
            lambda: where,
            lambda: people.household_list_order(criteria),
            offset_limit,
        )
    level = name[:-1]
    territory_filter = _input(arguments.get("filter"), TerritoryFilter) or TerritoryFilter()
    order_by = _input(arguments.get("orderBy"), TerritoryOrderBy)
    criteria = _checked(lambda: territory_filter.criteria(order_by))
    if walk.principal.role is Role.PUBLIC and criteria.order is TerritoryOrder.POPULATION:
        raise NotCompiled("the public's order by population (suppressed counts)")
    values = territory.territory_list_parameters(criteria, level)
    params.update(values)
    return _list(
        (level, frozenset(values), criteria.order, criteria.descending),
        level.title(),
        territory.LEVEL_TABLES[level],
        lambda: territory.territory_list_where(level, values),
        lambda: territory.territory_list_order(level, criteria),
        offset_limit,
    )
