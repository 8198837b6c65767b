from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.identity import (
    PINFL_ISSUE_DTYPE,
    InvalidPinfl,
    PinflColumnTypeError,
    PinflIssue,
    make_pinfl,
    parse_pinfl,
    pinfl_issue_expr,
    validate_pinfl_series,
    validate_pinfls,
)

# One value per outcome, including whitespace the two engines must agree on.
_SAMPLES: list[str | None] = [
    "31210932040247",
    "32505900123459",
    " 3121 0932\u00a00402\u300047 ",
    None,
    "",
    "\u2003",
    "31210932-040247",
    "3121093204024",
    "71210932040247",
    "33102930402470",
    "12902000010010",
    "31210930000247",
    "31210932040007",
    "31210932040248",
    "\x1c31210932040247",  # a separator Python's str.isspace accepts and the spec does not
]


def _expected(values: list[str | None]) -> list[PinflIssue | None]:
    results = [parse_pinfl(value) for value in values]
    return [r.issue if isinstance(r, InvalidPinfl) else None for r in results]


def test_list_path_matches_the_scalar_parser() -> None:
    assert validate_pinfls(_SAMPLES) == _expected(_SAMPLES)
    assert validate_pinfls([1, b"31210932040247"]) == [PinflIssue.NOT_DIGITS] * 2


def test_series_path_matches_the_scalar_parser() -> None:
    issues = validate_pinfl_series(pl.Series("pinfl", _SAMPLES, dtype=pl.String))
    assert issues.dtype == PINFL_ISSUE_DTYPE
    assert issues.name == "pinfl"
    assert issues.to_list() == [None if i is None else i.value for i in _expected(_SAMPLES)]


def test_expression_works_inside_a_lazy_frame() -> None:
    frame = pl.LazyFrame({"raw": ["31210932040247", "x"]})
    out = frame.with_columns(issue=pinfl_issue_expr(pl.col("raw"))).collect()
    assert out["issue"].to_list() == [None, "not_digits"]


def test_series_of_only_nulls_is_all_empty() -> None:
    issues = validate_pinfl_series(pl.Series("p", [None, None]))
    assert issues.to_list() == ["empty", "empty"]


def test_series_of_numbers_is_refused_as_a_programming_error() -> None:
    with pytest.raises(PinflColumnTypeError, match="Int64"):
        validate_pinfl_series(pl.Series("p", [31210932040247]))


_VALID = st.builds(
    make_pinfl,
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(("M", "F")),
    st.integers(1, 999),
    st.integers(1, 999),
)
_DIGITISH = st.text(alphabet="0123456789 -\t\u00a0\x1ca٣", max_size=16)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_VALID, _DIGITISH, st.none(), st.text(max_size=15)), max_size=40))
def test_all_three_paths_agree_on_any_column(values: list[str | None]) -> None:
    expected = _expected(values)
    assert validate_pinfls(values) == expected
    series = validate_pinfl_series(pl.Series("p", values, dtype=pl.String))
    assert series.to_list() == [None if i is None else i.value for i in expected]
