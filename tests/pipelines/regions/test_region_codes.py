"""A row's region comes from its mahalla code; rows with none go to the country-wide step."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.regions.codes import COUNTRY, REGION_CODES, REGIONS, rows_of
from pipelines.regions.order import regions_in


def _frame(*codes: str | None) -> pl.DataFrame:
    return pl.DataFrame(
        {"record_key": [f"k{i}" for i in range(len(codes))], "mahalla_code": list(codes)},
        schema={"record_key": pl.String, "mahalla_code": pl.String},
    )


def test_the_partitions_are_the_fourteen_soato_regions() -> None:
    assert len(REGION_CODES) == 14
    assert REGIONS.get_partition_keys() == list(REGION_CODES)
    assert {"1703", "1726", "1735"} <= set(REGION_CODES)


def test_rows_split_by_region_and_rows_without_one_go_to_the_country_step() -> None:
    frame = _frame("1703202001", "1726401002", None, "9999202003", "1703205004")
    assert rows_of(frame, "1703")["record_key"].to_list() == ["k0", "k4"]
    assert rows_of(frame, "1726")["record_key"].to_list() == ["k1"]
    # No mahalla code, or one naming no region: never lost, loaded country-wide.
    assert rows_of(frame, COUNTRY)["record_key"].to_list() == ["k2", "k3"]
    parts = [rows_of(frame, code) for code in (*REGION_CODES, COUNTRY)]
    assert sum(part.height for part in parts) == frame.height


def test_regions_in_names_every_region_holding_rows() -> None:
    frames = {"a": _frame("1703202001", None), "b": _frame("1735202001"), "c": _frame()}
    assert regions_in(frames) == {"1703", "1735", COUNTRY}


def test_an_unknown_region_is_refused_with_the_known_codes() -> None:
    with pytest.raises(ValueError, match="Region '1799' is not one of the 14 region codes"):
        rows_of(_frame("1703202001"), "1799")
