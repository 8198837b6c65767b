"""The regular path's field checks, generated from the rule table.

`guard_schema` wraps the resolver of every field whose rule is not `EVERYONE` (graphql-core
calls it for every value of the field, strawberry's resolvers and its default attribute
reads alike). The wrapper asks the table about `info.context.principal`: a field the role
never sees, or one that needs scopes the key lacks, is null with a `ForbiddenError` at
that field's path (FORBIDDEN, naming the missing scopes), and its resolver does not run.
Fields open to everyone are left as they are, so aggregates pay nothing.

A type or field the table does not know is refused to everyone (fail closed);
`tests/hub/api/access/test_rules.py` fails for it first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, default_field_resolver

from hub.api.access import suppression
from hub.api.access.personal_arguments import PERSONAL_ARGUMENTS, personal_arguments
from hub.api.access.requirements import EVERYONE, Verdict, decide
from hub.api.access.rule_lookup import rule_of
from hub.api.access.suppressed_counts import is_suppressed_count
from hub.api.errors import ForbiddenError
from hub.api.principal import PERSONAL_SCOPE, Principal, Role


def forbidden(type_name: str, field_name: str, principal: Principal) -> ForbiddenError | None:
    """The error `principal` gets for `type_name.field_name`, or None when it is shown."""
    verdict, missing = decide(rule_of(type_name, field_name).of(principal.role), principal)
    if verdict is Verdict.SHOW:
        return None
    if verdict is Verdict.DENY:
        return ForbiddenError(
            f"{type_name}.{field_name} is not available to the {principal.role.value} role."
        )
    scopes = sorted(missing)
    named = ", ".join(repr(s) for s in scopes)
    return ForbiddenError(
        f"{type_name}.{field_name} needs the scope(s) {named}, which this key lacks.",
        scopes=scopes,
    )


def forbidden_arguments(
    type_name: str, field_name: str, arguments: dict[str, Any], principal: Principal
) -> ForbiddenError | None:
    """The error for searching or ordering by personal data without `personal`."""
    if PERSONAL_SCOPE in principal.scopes:
        return None
    used = personal_arguments(type_name, field_name, arguments)
    if not used:
        return None
    return ForbiddenError(
        f"{type_name}.{field_name} with {', '.join(used)} needs the scope(s) 'personal', "
        "which this key lacks.",
        scopes=[PERSONAL_SCOPE],
    )


def _guarded(resolve: Callable[..., Any], type_name: str, field_name: str) -> Callable[..., Any]:
    searches = (type_name, field_name) in PERSONAL_ARGUMENTS

    def guarded(source: Any, info: GraphQLResolveInfo, /, **arguments: Any) -> Any:
        principal = info.context.principal
        error = forbidden(type_name, field_name, principal)
        if error is None and searches:
            error = forbidden_arguments(type_name, field_name, arguments, principal)
        if error is not None:
            raise error
        return resolve(source, info, **arguments)

    return guarded


def _counted(resolve: Callable[..., Any], type_name: str, field_name: str) -> Callable[..., Any]:
    def counted(source: Any, info: GraphQLResolveInfo, /, **arguments: Any) -> Any:
        context = info.context
        if context.principal.role is Role.PUBLIC:
            suppression.check(type_name, field_name, source, context.suppression_threshold)
        return resolve(source, info, **arguments)

    return counted


def guard_schema(schema: GraphQLSchema) -> None:
    """Wrap the resolvers of `schema`'s restricted fields with the table's checks, and
    the counts the public sees with the disclosure check."""
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            resolve = field.resolve or default_field_resolver
            if is_suppressed_count(type_name, field_name):
                resolve = _counted(resolve, type_name, field_name)
            if rule_of(type_name, field_name) != EVERYONE:
                resolve = _guarded(resolve, type_name, field_name)
            if resolve is not (field.resolve or default_field_resolver):
                field.resolve = resolve
