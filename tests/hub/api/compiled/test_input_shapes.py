"""A root field's input object (`filter`, `orderBy`) is converted by strawberry once per
shape; later values of the shape are built directly and equal strawberry's conversion."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from strawberry.types.arguments import convert_argument

from hub.api.compiled import roots
from hub.api.people.filters import PersonFilter, PersonOrderBy, PersonOrderField
from hub.api.territory.filters import TerritoryFilter
from hub.api.vocabulary import OrderDirection, Sex


@strawberry.input
class _Inner:
    code: str | None = None


@strawberry.input
class _Outer:
    inner: _Inner | None = None
    name: str | None = None


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The values strawberry's `convert_argument` is asked to convert, in order."""
    monkeypatch.setattr(roots, "_SHAPES", {})
    converted: list[Any] = []
    convert = roots.convert_argument

    def counted(value: Any, type_: Any, **kwargs: Any) -> Any:
        converted.append(value)
        return convert(value, type_, **kwargs)

    monkeypatch.setattr(roots, "convert_argument", counted)
    return converted


def _strawberry(value: dict[str, Any], type_: type) -> Any:
    return convert_argument(value, type_, scalar_registry=roots._SCALARS, config=roots._CONFIG)


def test_a_new_value_of_a_known_shape_is_not_converted_again(conversions: list[Any]) -> None:
    first = {"mahallaCode": "1703202001", "sex": Sex.FEMALE, "bornFromYear": None}
    second = {"mahallaCode": "1703202002", "sex": Sex.MALE, "bornFromYear": None}
    assert roots._input(first, PersonFilter) == _strawberry(first, PersonFilter)
    assert roots._input(second, PersonFilter) == PersonFilter(
        mahalla_code="1703202002", sex=Sex.MALE, born_from_year=None
    )
    assert conversions == [first]


def test_shapes_differ_by_fields_given_and_by_which_are_null(conversions: list[Any]) -> None:
    values = [
        {"regionCode": "17"},
        {"regionCode": None},
        {"regionCode": "17", "nameContains": "bog"},
        {"nameContains": "bog", "regionCode": "18"},
    ]
    for value in values:
        assert roots._input(value, TerritoryFilter) == _strawberry(value, TerritoryFilter)
    assert conversions == values
    order = {"field": PersonOrderField.NAME, "direction": OrderDirection.DESC}
    assert roots._input(order, PersonOrderBy) == PersonOrderBy(
        field=PersonOrderField.NAME, direction=OrderDirection.DESC
    )


def test_a_shape_whose_values_strawberry_changes_is_converted_each_time(
    conversions: list[Any],
) -> None:
    first = {"inner": {"code": "a"}, "name": "x"}
    second = {"inner": {"code": "b"}, "name": "y"}
    assert roots._input(first, _Outer) == _Outer(inner=_Inner(code="a"), name="x")
    converted = roots._input(second, _Outer)
    assert converted == _Outer(inner=_Inner(code="b"), name="y")
    assert isinstance(converted.inner, _Inner)
    assert [value for value in conversions if "name" in value] == [first, second]


def test_null_input_is_null(conversions: list[Any]) -> None:
    assert roots._input(None, PersonFilter) is None
    assert conversions == []
