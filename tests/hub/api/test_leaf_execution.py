"""Which fields take the plain-scalar shortcut (`hub.api.leaf_execution`), and which not."""

from __future__ import annotations

from graphql import GraphQLField

from hub.api.leaf_execution import leaf_plan
from hub.api.schema import SCHEMA


def _field(type_name: str, field_name: str) -> GraphQLField:
    graphql_type = SCHEMA._schema.type_map[type_name]
    field: GraphQLField = graphql_type.fields[field_name]  # type: ignore[attr-defined]
    return field


def test_a_plain_scalar_attribute_is_completed_by_the_shortcut() -> None:
    plan = leaf_plan(_field("Person", "fullName"))
    assert plan is not None
    assert plan.attribute == "full_name"
    assert plan.serialize("Aliyev Vali") == "Aliyev Vali"


def test_fields_with_resolvers_or_object_types_take_the_regular_way() -> None:
    assert leaf_plan(_field("Person", "id")) is None  # resolved to a global id
    assert leaf_plan(_field("Person", "household")) is None  # a relation, via a loader
    assert leaf_plan(_field("Mahalla", "statistics")) is None  # an object type
