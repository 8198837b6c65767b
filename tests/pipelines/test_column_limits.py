"""The column limits are read from the graph's models, for columns staging really has."""

from __future__ import annotations

import polars as pl

from pipelines.staging.column_limits import TARGETS, limit_rules, round_to_scales
from pipelines.staging.rules import apply_rules
from pipelines.staging.schemas import STAGED_SCHEMAS


def test_every_limited_column_is_a_column_of_its_staged_table() -> None:
    assert set(TARGETS) == set(STAGED_SCHEMAS)
    for table, columns in TARGETS.items():
        assert set(columns) <= set(STAGED_SCHEMAS[table]), table


def test_limits_come_from_the_models_and_name_the_graph_column() -> None:
    frame = pl.DataFrame(
        {
            "record_key": ["L1", "L2", "L3", "L4"],
            "origin": ["f:1", "f:2", "f:3", "f:4"],
            "lease_id": ["L1", "L2", "L3", "L4"],
            "crop": ["tomato", "t" * 65, None, "tomato"],
            "cadastre_no": ["17:03", None, "c\x00", "17:04"],
            "area_ha": [0.123456, 1.0, 2.0, 1e10],
        }
    )
    kept, rejects = apply_rules(frame, limit_rules("land", dict(frame.schema)))
    assert kept["lease_id"].to_list() == ["L1"]
    reasons = dict(zip(rejects["record_key"], rejects["reasons"].to_list(), strict=True))
    assert reasons["L2"] == ["crop is 65 characters long; the graph's parcel.crop holds at most 64"]
    assert reasons["L3"] == ["cadastre_no contains a NUL character, which the graph cannot store"]
    assert reasons["L4"] == [
        "area_ha '10000000000.0' has more than 10 digits before the decimal point; the graph's "
        "parcel.area_ha is numeric(14, 4)"
    ]
    assert round_to_scales("land", kept)["area_ha"].to_list() == [0.1235]
