"""Links of equal weight are taken in pair order, whatever order they arrive in."""

from __future__ import annotations

import polars as pl

from hub.identity.linkage.clustering import constrained_clusters


def _features() -> pl.DataFrame:
    # Mentions 0 and 1 carry different confirmed PINFLs; 2 may join either, not both.
    return pl.DataFrame(
        {
            "unique_id": [0, 1, 2],
            "pinfl_confirmed": [True, True, False],
            "pinfl": ["31503851234566", "41503851234567", None],
            "household_key": [None, None, None],
        },
        schema={
            "unique_id": pl.Int64,
            "pinfl_confirmed": pl.Boolean,
            "pinfl": pl.String,
            "household_key": pl.String,
        },
    )


def test_equal_links_are_taken_in_pair_order_whatever_order_they_arrive_in() -> None:
    links = pl.DataFrame(
        {"unique_id_l": [0, 1], "unique_id_r": [2, 2], "match_weight": [12.0, 12.0]}
    )
    forward = constrained_clusters(_features(), links)
    backward = constrained_clusters(_features(), links.reverse())
    assert forward.cluster == backward.cluster == [0, 1, 0]
    assert forward.refused.rows() == backward.refused.rows()
    assert forward.refused.select("unique_id_l", "unique_id_r").rows() == [(1, 2)]
