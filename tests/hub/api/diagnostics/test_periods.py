"""Month and Quarter values: parsed to their first day, malformed ones refused by name."""

from __future__ import annotations

from datetime import date

import pytest

from hub.api.diagnostics.periods import (
    month_text,
    months_between,
    parse_month,
    parse_quarter,
    quarter_text,
)


def test_a_month_and_a_quarter_are_their_first_day_and_print_back() -> None:
    assert parse_month("2022-03") == date(2022, 3, 1)
    assert parse_quarter("2022-Q3") == date(2022, 7, 1)
    assert month_text(date(2022, 3, 1)) == "2022-03"
    assert quarter_text(date(2022, 8, 15)) == "2022-Q3"
    assert months_between(date(2021, 12, 1), date(2022, 11, 1)) == 12


@pytest.mark.parametrize("value", ["2022-13", "2022-00", "2022-3", "March", 202203, None])
def test_a_malformed_month_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="Expected 'YYYY-MM'"):
        parse_month(value)


@pytest.mark.parametrize("value", ["2022-Q0", "2022-Q5", "2022Q1", "Q1", 2022])
def test_a_malformed_quarter_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match=r"Expected 'YYYY-Q1'\.\.'YYYY-Q4'"):
        parse_quarter(value)
