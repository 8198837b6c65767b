"""The root fields the compiler covers: what each reads, and the statement that answers it.

A root field is either one object found by a key (`person(pinfl:)`, `mahalla(code:)`, ...)
or a connection over a filtered, ordered list (`persons`, `mahallas`, ...). Arguments are
checked here as the resolvers check them; any argument the resolver would reject raises
`NotCompiled`, and the field goes the regular way, which raises the error the client
sees. `person(hubId:)` and a person's `node(id:)` follow merged hub ids as the loader
does. Filters and orders are the data layer's own (`person_list_where`,
`territory_list_where`, ...), so both paths list the same rows in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.arguments import convert_argument

from hub.api.compiled import diagnostics_roots, identity_roots
from hub.api.compiled.audited import PersonsKind
from hub.api.compiled.compile import Builder
from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.nodes import by_key, global_id, nodes_root
from hub.api.compiled.provenance_map import QUARANTINE_PARAMETERS, SOURCES, SOURCES_PARAMETER
from hub.api.compiled.root_plan import KEY, Root, listed, single
from hub.api.compiled.selection import Sel, Walk
from hub.api.errors import BadUserInputError
from hub.api.people import records as people
from hub.api.people.filters import HouseholdFilter, HouseholdOrderBy, PersonFilter, PersonOrderBy
from hub.api.people.list_conditions import (
    household_list_order,
    household_list_where,
    person_list_order,
    person_list_parameters,
    person_list_shape,
    person_list_where,
)
from hub.api.principal import Role
from hub.api.provenance import data as provenance
from hub.api.scalars import SCALAR_MAP
from hub.api.territory import data as territory
from hub.api.territory.codes import checked_code
from hub.api.territory.data import TerritoryOrder
from hub.api.territory.filters import TerritoryFilter, TerritoryOrderBy

_PINFL = re.compile(r"^[0-9]{14}$")


def _checked(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except (BadUserInputError, ValueError) as exc:
        raise NotCompiled("arguments the regular path rejects") from exc


def _input(value: Any, type_: type) -> Any:
    """An input object's coerced value as the resolver receives it.

    strawberry's conversion (`convert_argument`) walks the type anew each time. Here it
    runs once per shape: the type, the fields given, and which of them are null. When
    every given field came through it unchanged (scalars and enums, which graphql-core
    has already coerced), the shape's later values are built directly, the values being
    the only difference; any other shape (a nested input, a global id) converts each
    time."""
    if value is None:
        return None
    shape = (type_, tuple((name, field is None) for name, field in value.items()))
    names = _SHAPES.get(shape)
    if names is None:
        converted = convert_argument(value, type_, scalar_registry=_SCALARS, config=_CONFIG)
        if len(_SHAPES) >= _KEPT:
            _SHAPES.clear()
        _SHAPES[shape] = _passed_through(value, type_, converted)
        return converted
    if names is _CONVERT:
        return convert_argument(value, type_, scalar_registry=_SCALARS, config=_CONFIG)
    return type_(**{python: value[graphql] for graphql, python in names})


def _passed_through(
    value: dict[str, Any], type_: type, converted: Any
) -> tuple[tuple[str, str], ...] | object:
    """The (GraphQL name, Python name) of each given field when `convert_argument` passed
    every given value through as it was; `_CONVERT` otherwise."""
    definition = getattr(type_, "__strawberry_definition__", None)
    if definition is None:
        return _CONVERT
    python_names = {_CONFIG.name_converter.from_field(f): f.python_name for f in definition.fields}
    names = []
    for graphql, given in value.items():
        python = python_names.get(graphql)
        if python is None or getattr(converted, python, _CONVERT) is not given:
            return _CONVERT
        names.append((graphql, python))
    return tuple(names)


# Shapes (type, fields given, which are null) -> how to build their values.
_SHAPES: dict[tuple[type, tuple[tuple[str, bool], ...]], Any] = {}
_CONVERT = object()
_KEPT = 1024


_CONFIG = StrawberryConfig(scalar_map=SCALAR_MAP)
_SCALARS = {**DEFAULT_SCALAR_REGISTRY, **SCALAR_MAP}


def plan_root(name: str, arguments: dict[str, Any], walk: Walk) -> Root:
    """The plan of the root field `name` with graphql-core's coerced `arguments`; its
    values go into `walk.params`."""
    params = walk.params
    if name == "person":
        pinfl, hub_id = arguments.get("pinfl"), arguments.get("hubId")
        if hub_id is not None and pinfl is None:
            params[KEY] = hub_id
            return by_key("Person")
        if hub_id is not None or pinfl is None or not _PINFL.match(pinfl):
            raise NotCompiled("a rejected choice of arguments, or of PINFL")
        params[KEY] = pinfl
        return single("Person", people.PERSON, "pinfl")
    if name == "household":
        params[KEY] = arguments["hubId"]
        return single("Household", people.HOUSEHOLD, "hub_id")
    if name in ("region", "district", "mahalla"):
        code = _checked(lambda: checked_code("code", arguments["code"], level=name))
        params[KEY] = code
        return single(name.title(), territory.LEVEL_TABLES[name], "code")
    if name == "node":
        named = global_id(arguments["id"])
        params[KEY] = named.node_id
        return by_key(named.type_name, nullable=True)
    if name == "nodes":
        return nodes_root(arguments["ids"], params)
    if name == "deliveries":
        criteria = provenance.DeliveryCriteria(
            source=arguments.get("source"), status=arguments.get("status")
        )
        offset_limit = walk.page(arguments, prefix="root_")
        # The conditions carry their values: the criteria are the shape.
        return listed(
            ("deliveries", criteria),
            "Delivery",
            provenance.DELIVERY,
            lambda: provenance.delivery_list_where(criteria),
            provenance.delivery_list_order,
            offset_limit,
        )
    if name in ("persons", "households", "regions", "districts", "mahallas"):
        return _listed(name, arguments, walk)
    if name == "quarantine":
        given = arguments.get("filter") or {}
        for part, parameter in QUARANTINE_PARAMETERS.items():
            params[parameter] = given.get(part)
        return Root(("quarantine",), _quarantine, single=False, type_name="Quarantine")
    if name == "sources":
        params[SOURCES_PARAMETER] = arguments.get("source")
        return Root(("sources",), _sources, single=False, type_name="SourceSummary")
    if name in identity_roots.ROOTS:
        return identity_roots.plan_identity_root(name, arguments, walk)
    if name in diagnostics_roots.ROOTS:
        return diagnostics_roots.plan_diagnostics_root(name, arguments, walk)
    raise NotCompiled(f"Query.{name}")


def _quarantine(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
    assert sel.children is not None
    return select(builder.sql.as_text(builder.object_json("Quarantine", None, sel.children)))


def _sources(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
    assert sel.children is not None
    return select(builder.sql.as_text(builder.rows(SOURCES, None, sel.children)))


def _listed(name: str, arguments: dict[str, Any], walk: Walk) -> Root:
    # The resolvers check the page arguments first, then the filter.
    offset_limit = walk.page(arguments, prefix="root_")
    params = walk.params
    if name == "persons":
        person_filter = _input(arguments.get("filter"), PersonFilter) or PersonFilter()
        order_by = _input(arguments.get("orderBy"), PersonOrderBy)
        criteria = _checked(lambda: person_filter.criteria(order_by))
        values = person_list_parameters(criteria)
        params.update(values)
        return listed(
            ("persons", person_list_shape(criteria, values)),
            "Person",
            people.PERSON,
            lambda: person_list_where(criteria, values),
            lambda: person_list_order(criteria),
            offset_limit,
        )
    if name == "households":
        household_filter = _input(arguments.get("filter"), HouseholdFilter) or HouseholdFilter()
        order_by = _input(arguments.get("orderBy"), HouseholdOrderBy)
        criteria = _checked(lambda: household_filter.criteria(order_by))
        where, values = household_list_where(criteria)
        # The household conditions carry literal values: the criteria are the shape.
        params.update(values)
        return listed(
            ("households", criteria),
            "Household",
            people.HOUSEHOLD,
            lambda: where,
            lambda: household_list_order(criteria),
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
    return listed(
        (level, frozenset(values), criteria.order, criteria.descending),
        level.title(),
        territory.LEVEL_TABLES[level],
        lambda: territory.territory_list_where(level, values),
        lambda: territory.territory_list_order(level, criteria),
        offset_limit,
    )
