"""The rule table covers the whole schema, and what it opens leads nowhere it closes.

A type or field added to the schema without a rule fails here (and is refused to every
caller until it has one); so does a rule left behind for a field that is gone, and a field
open to a role that leads to a type the role may not see.
"""

from __future__ import annotations

from graphql import GraphQLObjectType

from hub.api.access.requirements import Verdict, decide
from hub.api.access.rule_lookup import rule_of, visible_type
from hub.api.access.rules import TYPES
from hub.api.access.suppressed_counts import SUPPRESSED
from hub.api.compiled.selection import named_object
from hub.api.principal import PERSONAL_SCOPE, SCOPES, Principal, Role
from hub.api.schema import SCHEMA


def _object_types() -> dict[str, GraphQLObjectType]:
    return {
        name: t
        for name, t in SCHEMA._schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
    }


def test_every_object_type_and_field_of_the_schema_has_a_rule() -> None:
    missing = [
        f"{name}.{field}"
        for name, object_type in _object_types().items()
        for field in object_type.fields
        if name not in TYPES or not TYPES[name].covers(field)
    ]
    assert missing == []


def test_the_table_names_no_type_or_field_the_schema_lacks() -> None:
    types = _object_types()
    stale = [name for name in TYPES if name not in types]
    stale += [
        f"{name}.{field}"
        for name, rules in TYPES.items()
        if name in types
        for field in rules.same | set(rules.fields)
        if field not in types[name].fields
    ]
    stale += [
        f"{name}.{field}"
        for name, fields in SUPPRESSED.items()
        for field in fields
        if name not in types or field not in types[name].fields
    ]
    assert stale == []


def test_a_field_open_to_a_role_leads_only_to_types_the_role_sees() -> None:
    leaks = []
    for name, object_type in _object_types().items():
        for field_name, field in object_type.fields.items():
            target = named_object(field.type)
            if target is None:
                continue
            for role in Role:
                if rule_of(name, field_name).of(role).allowed and not visible_type(
                    target.name, role
                ):
                    leaks.append(f"{name}.{field_name} -> {target.name} ({role.value})")
    assert leaks == []


# The people and records the public never sees, by any path.
PRIVATE_TYPES = (
    "Person",
    "Household",
    "HouseholdMember",
    "Address",
    "TaxRegistration",
    "EmploymentRecord",
    "LandLease",
    "Parcel",
    "Business",
    "Loan",
    "NotebookEntry",
    "Appeal",
    "SourceRecord",
    "PersonConflict",
    "QuarantinedRecord",
    "Delivery",
)
# Personal fields: shown only with the `personal` scope, to every role that sees them.
PERSONAL_FIELDS = (
    ("Person", "pinfl"),
    ("Person", "fullName"),
    ("Person", "surname"),
    ("Person", "givenName"),
    ("Person", "patronymic"),
    ("Person", "birthOn"),
    ("Household", "address"),
    ("TaxRegistration", "address"),
    ("LandLease", "lesseeName"),
    ("Loan", "borrowerName"),
    ("Appeal", "applicantName"),
    ("Appeal", "applicantPhone"),
    ("PersonConflict", "value"),
    ("PersonConflict", "survivingValue"),
    ("QuarantinedRecord", "raw"),
)


def test_the_public_sees_no_person_household_record_or_quarantine_row() -> None:
    assert [t for t in PRIVATE_TYPES if visible_type(t, Role.PUBLIC)] == []
    public = Principal("p", Role.PUBLIC, SCOPES)
    opened = [
        f"{name}.{field}"
        for name, object_type in _object_types().items()
        for field in object_type.fields
        if named_object(object_type.fields[field].type) is not None
        and named_object(object_type.fields[field].type).name in PRIVATE_TYPES  # type: ignore[union-attr]
        and decide(rule_of(name, field).public, public)[0] is Verdict.SHOW
    ]
    assert opened == []


def test_personal_fields_need_the_personal_scope_for_every_role() -> None:
    for type_name, field in PERSONAL_FIELDS:
        for role in Role:
            every_but_personal = Principal("x", role, SCOPES - {PERSONAL_SCOPE})
            verdict, missing = decide(rule_of(type_name, field).of(role), every_but_personal)
            assert verdict is not Verdict.SHOW, (type_name, field, role)
            if verdict is Verdict.MASK:
                assert missing == {PERSONAL_SCOPE}, (type_name, field, role)


def test_a_sources_records_need_that_sources_scope() -> None:
    for type_name, scope in (
        ("TaxRegistration", "tax"),
        ("EmploymentRecord", "employment"),
        ("LandLease", "land"),
        ("Loan", "bank"),
        ("Appeal", "appeals"),
    ):
        lacking = Principal("a", Role.AGENCY, SCOPES - {scope})
        verdict, missing = decide(rule_of(type_name, "id").agency, lacking)
        assert (verdict, missing) == (Verdict.MASK, {scope})


def test_persons_and_households_are_not_the_engineers() -> None:
    for field in ("person", "persons", "household", "households", "notSurveyed"):
        assert not rule_of("Query", field).engineer.allowed
    for field in ("deliveries", "sources", "quarantine", "unlinkedMentions", "borderlineLinks"):
        assert rule_of("Query", field).engineer.allowed
        assert not rule_of("Query", field).agency.allowed
        assert not rule_of("Query", field).public.allowed


def test_a_field_the_table_lacks_is_refused_to_everyone() -> None:
    assert not any(rule_of("Person", "passportNumber").of(role).allowed for role in Role)
    assert not any(rule_of("NoSuchType", "id").of(role).allowed for role in Role)
