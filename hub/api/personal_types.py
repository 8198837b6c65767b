"""Which GraphQL types are personal (`PERSONAL_TYPES`, the audit log's rule, see
`hub.api.personal_data`) and which can hold a Person below them, from the schema alone."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
)

PERSONAL_TYPES = frozenset(
    {
        "Person",
        "Household",
        "HouseholdMember",
        "TaxRegistration",
        "EmploymentRecord",
        "LandLease",
        "Loan",
        "NotebookEntry",
        "Appeal",
        "SourceRecord",
        "PersonConflict",
        "QuarantinedRecord",
    }
)
PERSON_TYPE = "Person"


def named_type(type_: GraphQLOutputType) -> GraphQLNamedType:
    named = get_named_type(type_)
    assert named is not None
    return named


def is_personal(schema: GraphQLSchema, named: GraphQLNamedType) -> bool:
    if named.name in PERSONAL_TYPES:
        return True
    if is_abstract_type(named):
        return any(t.name in PERSONAL_TYPES for t in schema.get_possible_types(abstract(named)))
    return False


_REACHES_PERSON: dict[tuple[int, str], bool] = {}


def reaches_person(schema: GraphQLSchema, type_: GraphQLOutputType) -> bool:
    """Whether an object of `type_` can hold a Person anywhere below it (cached)."""
    start = named_type(type_)
    memo = (id(schema), start.name)
    if memo not in _REACHES_PERSON:
        seen: set[str] = set()
        pending = [start]
        found = False
        while pending and not found:
            named = pending.pop()
            if named.name in seen:
                continue
            seen.add(named.name)
            if named.name == PERSON_TYPE:
                found = True
            elif is_abstract_type(named):
                pending.extend(schema.get_possible_types(abstract(named)))
            elif isinstance(named, GraphQLObjectType):
                pending.extend(named_type(f.type) for f in named.fields.values())
        _REACHES_PERSON[memo] = found
    return _REACHES_PERSON[memo]


def abstract(type_: Any) -> GraphQLAbstractType:
    assert is_abstract_type(type_)
    return type_  # type: ignore[no-any-return]
