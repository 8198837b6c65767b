"""The pandas view GX validates: dtypes GX understands, nulls kept, a deterministic sample."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from pipelines.quality.pandas_view import gx_type_name, sample_rows, to_pandas_view


def test_view_keeps_values_nulls_and_integer_widths() -> None:
    frame = pl.DataFrame(
        {
            "text": ["a", None],
            "small": pl.Series([1, None], dtype=pl.Int8),
            "count": pl.Series([4, 5], dtype=pl.Int32),
            "on": [date(1985, 3, 15), None],
            "at": pl.Series([datetime(2022, 1, 1, 5, tzinfo=UTC), None]),
            "needs": [["job", "land"], None],
        }
    )

    view = to_pandas_view(frame)

    assert view["text"].tolist() == ["a", None]
    assert str(view["small"].dtype) == "Int8"
    assert view["small"].isna().tolist() == [False, True]
    assert str(view["count"].dtype) == "int32"
    assert str(view["on"].dtype) == "datetime64[ns]"
    assert view["on"].isna().tolist() == [False, True]
    assert str(view["at"].dtype).endswith("UTC]")
    assert view["at"][0].hour == 5
    assert view["needs"].tolist() == ["job,land", None]


def test_dates_outside_nanosecond_range_keep_second_resolution() -> None:
    view = to_pandas_view(pl.DataFrame({"ends_on": [date(2999, 1, 1)]}))

    assert str(view["ends_on"].dtype) == "datetime64[s]"
    assert view["ends_on"][0].year == 2999


def test_gx_type_names_follow_the_view() -> None:
    assert gx_type_name(pl.String) == "object"
    assert gx_type_name(pl.Int8) == "int8"
    assert gx_type_name(pl.Float64) == "float64"
    assert gx_type_name(pl.Date) == "datetime64"
    assert gx_type_name(pl.Datetime("us", "UTC")) == "Timestamp"
    assert gx_type_name(pl.List(pl.String)) == "object"


def test_sample_is_deterministic_distinct_and_in_order() -> None:
    frame = pl.DataFrame({"n": range(1000)})

    first = sample_rows(frame, 100, seed=3)["n"].to_list()

    assert first == sample_rows(frame, 100, seed=3)["n"].to_list()
    assert first != sample_rows(frame, 100, seed=4)["n"].to_list()
    assert first == sorted(set(first))
    assert len(first) == 100


def test_small_frames_are_not_sampled() -> None:
    frame = pl.DataFrame({"n": range(10)})

    assert sample_rows(frame, 10, seed=0) is frame
