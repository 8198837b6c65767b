"""The vocabulary of the rule table: what a field requires of a caller, per role.

A `Requirement` is one of `ALLOWED`, `DENIED` or `Needs(scopes)`; a `Rule` holds one per
role. `decide` answers, for a principal, whether a field is shown, hidden (denied: the
caller's role never sees it) or masked (the role may see it with scopes the key lacks).
Kept apart from the table itself (`hub.api.access.rules`) so that the table reads as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hub.api.principal import PERSONAL_SCOPE, Principal, Role


class Verdict(Enum):
    SHOW = "show"
    DENY = "deny"  # the role never sees this field
    MASK = "mask"  # the role sees it with scopes the principal lacks


@dataclass(frozen=True, slots=True)
class Requirement:
    """Allowed (no scopes), denied, or allowed with every scope of `scopes`."""

    allowed: bool
    scopes: frozenset[str] = frozenset()

    def __add__(self, other: Requirement) -> Requirement:
        """Both requirements: denied if either is, else the union of their scopes."""
        if not self.allowed or not other.allowed:
            return DENIED
        return Requirement(True, self.scopes | other.scopes)


ALLOWED = Requirement(True)
DENIED = Requirement(False)


def needs(*scopes: str) -> Requirement:
    return Requirement(True, frozenset(scopes))


@dataclass(frozen=True, slots=True)
class Rule:
    """A requirement per role."""

    public: Requirement = DENIED
    agency: Requirement = DENIED
    engineer: Requirement = DENIED

    def of(self, role: Role) -> Requirement:
        if role is Role.PUBLIC:
            return self.public
        if role is Role.AGENCY:
            return self.agency
        return self.engineer

    def __add__(self, other: Rule) -> Rule:
        return Rule(
            self.public + other.public,
            self.agency + other.agency,
            self.engineer + other.engineer,
        )


# The rules the table is written with.
EVERYONE = Rule(ALLOWED, ALLOWED, ALLOWED)
AGENCY = Rule(agency=ALLOWED)
ENGINEER = Rule(engineer=ALLOWED)
AGENCY_OR_ENGINEER = Rule(agency=ALLOWED, engineer=ALLOWED)
PERSONAL = Rule(agency=needs(PERSONAL_SCOPE))


def source(scope: str) -> Rule:
    """A source's own records: agencies holding that source's scope."""
    return Rule(agency=needs(scope))


@dataclass(frozen=True, slots=True)
class TypeRules:
    """One object type's rules: `default` for the fields named in `same` (one string,
    names separated by spaces), `fields` for the fields with a rule of their own, and
    `rows`, the name(s) of its row filters (`hub.api.access.rows`) or None when every
    row of a visible type may be shown. A field named in neither has no rule: refused to all."""

    default: Rule
    same: frozenset[str]
    fields: dict[str, Rule] = field(default_factory=dict)
    rows: str | tuple[str, ...] | None = None

    def covers(self, field_name: str) -> bool:
        return field_name in self.same or field_name in self.fields

    def rule(self, field_name: str) -> Rule:
        return self.fields.get(field_name, self.default)

    def visible_to(self, role: Role) -> bool:
        """Whether the role may see objects of this type at all (its default allows)."""
        return self.default.of(role).allowed


def type_rules(
    default: Rule,
    same: str,
    fields: dict[str, Rule] | None = None,
    *,
    rows: str | tuple[str, ...] | None = None,
) -> TypeRules:
    return TypeRules(default, frozenset(same.split()), dict(fields or {}), rows)


def decide(requirement: Requirement, principal: Principal) -> tuple[Verdict, frozenset[str]]:
    """The verdict of `requirement` for `principal`, with the scopes it lacks (MASK)."""
    if not requirement.allowed:
        return Verdict.DENY, frozenset()
    missing = requirement.scopes - principal.scopes
    if missing:
        return Verdict.MASK, missing
    return Verdict.SHOW, frozenset()
