"""Two residents of the survey are never made one person through a third record."""

from __future__ import annotations

import polars as pl

from hub.identity.linkage import resolve_identities
from hub.identity.linkage.adapt import adapt_settings
from hub.identity.linkage.clustering import constrained_clusters
from hub.identity.linkage.features import mention_features
from hub.identity.linkage.model import load_latest_model
from tests.hub.identity.linkage.mentions import frame, mention


def _features(households: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": list(range(len(households))),
            "pinfl_confirmed": [False] * len(households),
            "pinfl": [None] * len(households),
            "household_key": households,
        },
        schema={
            "unique_id": pl.Int64,
            "pinfl_confirmed": pl.Boolean,
            "pinfl": pl.String,
            "household_key": pl.String,
        },
    )


def _links(*pairs: tuple[int, int, float]) -> pl.DataFrame:
    return pl.DataFrame(pairs, schema=["unique_id_l", "unique_id_r", "match_weight"], orient="row")


def test_an_agency_record_matching_two_residents_joins_only_the_better_match() -> None:
    # 0 and 1: survey members of two households; 2: an appeal matching both by name.
    clusters = constrained_clusters(
        _features(["SV-1", "SV-2", None]), _links((1, 2, 3.0), (0, 2, 2.0))
    )
    assert clusters.cluster == [0, 1, 1]
    assert clusters.refused.select("unique_id_l", "unique_id_r").rows() == [(0, 2)]
    assert "survey members" in clusters.refused["detail"][0]


def test_two_residents_linked_to_each_other_directly_are_one_person() -> None:
    # A duplicate survey entry (two households) found by its own evidence still merges, and
    # an agency record then joins the merged person.
    clusters = constrained_clusters(
        _features(["SV-1", "SV-2", None]), _links((0, 1, 20.0), (0, 2, 5.0), (1, 2, 4.0))
    )
    assert clusters.cluster == [0, 0, 0]
    assert clusters.refused.is_empty()


def test_agency_records_chain_freely_when_at_most_one_side_holds_a_resident() -> None:
    clusters = constrained_clusters(
        _features(["SV-1", None, None]), _links((1, 2, 6.0), (0, 1, 5.0))
    )
    assert clusters.cluster == [0, 0, 0]


def test_namesake_residents_of_one_mahalla_stay_two_persons() -> None:
    # Same name, same mahalla, different households, no birth date or PINFL on one: the
    # survey lists each resident once, so the name alone does not make them one person.
    mentions = frame(
        mention(
            "survey",
            "SV-1/1",
            full_name="Karimov Akmal Mansur o'g'li",
            sex="M",
            household_key="SV-1",
        ),
        mention(
            "survey", "SV-2/3", full_name="KARIMOV AKMAL MANSUR OGLI", sex="M", household_key="SV-2"
        ),
        mention("appeals", "AP-1", full_name="Karimov Akmal", phone="+998901234567"),
    )
    assignments = resolve_identities(mentions).assignments
    clusters = dict(assignments.select("mention_id", "cluster").iter_rows())
    assert clusters["survey/SV-1/1"] != clusters["survey/SV-2/3"]


def test_the_survey_comparisons_u_is_fitted_to_the_frames_share_of_residents() -> None:
    mentions = frame(
        mention("survey", "SV-1/1", full_name="Karimov Akmal", household_key="SV-1"),
        mention("tax", "400000001", full_name="Karimov Akmal"),
        mention("tax", "400000002", full_name="Saidova Laylo"),
        mention("bank", "L-1", full_name="Saidova L."),
    )
    settings = adapt_settings(load_latest_model().settings, mention_features(mentions))
    surveyed = next(c for c in settings["comparisons"] if c["output_column_name"] == "surveyed")
    u = {
        lv["label_for_charts"]: lv["u_probability"]
        for lv in surveyed["comparison_levels"]
        if not lv.get("is_null_level")
    }
    assert u == {"both surveyed": 0.0625, "not both surveyed": 0.9375}


def test_an_existing_persons_residents_stay_together_through_its_agency_record() -> None:
    # A person already in the graph holds two survey entries (merged earlier on their own
    # evidence) and a tax record; its anchor links keep all three together.
    anchors = _links((2, 0, float("inf")), (2, 1, float("inf")))
    clusters = constrained_clusters(_features(["SV-1", "SV-2", None]), anchors)
    assert clusters.cluster == [0, 0, 0]
    assert clusters.refused.is_empty()
