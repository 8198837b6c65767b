"""The arguments that search or order by personal data: they need the `personal` scope, as
the fields they match on do (finding who holds a PINFL, or a name, or a birth year, shows
them)."""

from __future__ import annotations

from typing import Any

# Per root field: the arguments, as `argument` or `input.field` or `input.field=VALUE` (an
# enum value).
PERSONAL_ARGUMENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Query", "person"): ("pinfl",),
    ("Query", "persons"): (
        "filter.name",
        "filter.bornFromYear",
        "filter.bornToYear",
        "orderBy.field=NAME",
        "orderBy.field=BIRTH_ON",
    ),
}


def personal_arguments(type_name: str, field_name: str, arguments: dict[str, Any]) -> list[str]:
    """The arguments of `PERSONAL_ARGUMENTS` that `arguments` (graphql-core's coerced
    values, by GraphQL name) use."""
    used = []
    for spec in PERSONAL_ARGUMENTS.get((type_name, field_name), ()):
        path, _, wanted = spec.partition("=")
        value: Any = arguments
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        if wanted and getattr(value, "name", value) != wanted:
            continue
        used.append(spec)
    return used
