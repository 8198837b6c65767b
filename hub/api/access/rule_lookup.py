"""How the read paths read the rule table (`hub.api.access.rules`): a field's rule, failing
closed for what the table lacks, whether a role sees a type at all, and a type's row
filters."""

from __future__ import annotations

from hub.api.access.requirements import Rule
from hub.api.access.rules import TYPES
from hub.api.principal import Role

NOBODY = Rule()


def rule_of(type_name: str, field_name: str) -> Rule:
    """The table's rule for `type_name.field_name`; refused to everyone (fail closed) for
    a type or field the table lacks."""
    rules = TYPES.get(type_name)
    if rules is None or not rules.covers(field_name):
        return NOBODY
    return rules.rule(field_name)


def visible_type(type_name: str, role: Role) -> bool:
    """Whether `role` may see objects of `type_name` at all (`node(id:)` answers null
    otherwise, as for an id that does not exist)."""
    rules = TYPES.get(type_name)
    return rules is not None and rules.visible_to(role)


def row_filter_of(type_name: str) -> str | tuple[str, ...] | None:
    rules = TYPES.get(type_name)
    return None if rules is None else rules.rows
