"""validate_table: valid staged frames pass; each kind of breakage fails the rule meant for it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from pipelines.quality import QualityReport, validate_table
from pipelines.quality.gx_session import GxSession
from pipelines.staging.schemas import STAGED_SCHEMAS
from tests.pipelines.quality.staged_frames import AS_OF, valid_frame, with_values

pytestmark = pytest.mark.usefixtures("gx_session")


def _failed(report: QualityReport) -> set[str]:
    return {o.rule for o in report.outcomes if not o.success}


@pytest.mark.parametrize("table", sorted(STAGED_SCHEMAS))
def test_valid_staged_frame_keeps_every_rule(table: str) -> None:
    report = validate_table(table, valid_frame(table), as_of=AS_OF)

    assert _failed(report) == set()
    assert report.passed
    assert (report.rows, report.rows_validated, report.sampled) == (3, 3, False)


def test_missing_column_fails_the_column_set_rule_naming_it() -> None:
    frame = valid_frame("survey_members").drop("relation")

    report = validate_table("survey_members", frame, as_of=AS_OF)

    columns = report.outcome("columns_match_schema")
    assert not columns.success
    assert columns.severity == "blocking"
    assert "relation" in columns.sample
    assert report.outcome("relation_type").error is not None
    assert not report.passed


def test_unexpected_column_fails_the_column_set_rule() -> None:
    frame = valid_frame("bank").with_columns(pl.lit("x").alias("surprise"))

    report = validate_table("bank", frame, as_of=AS_OF)

    assert report.outcome("columns_match_schema").sample == ("surprise",)
    assert _failed(report) == {"columns_match_schema"}


def test_wrong_column_type_fails_the_type_rule() -> None:
    frame = valid_frame("bank").with_columns(pl.col("amount_tiyin").cast(pl.Float64))

    report = validate_table("bank", frame, as_of=AS_OF)

    outcome = report.outcome("amount_tiyin_type")
    assert not outcome.success
    assert outcome.observed_value == "float64"


def test_null_record_key_is_blocking() -> None:
    frame = with_values(valid_frame("tax"), "record_key", {1: None})

    report = validate_table("tax", frame, as_of=AS_OF)

    outcome = report.outcome("record_key_not_null")
    assert not outcome.success
    assert outcome.unexpected_count == 1
    assert outcome.sample == ("null",)
    assert outcome in report.blocking_failures


def test_duplicate_record_key_is_blocking_with_the_key_in_the_sample() -> None:
    frame = with_values(valid_frame("land", rows=4), "record_key", {3: "K-00001"})

    report = validate_table("land", frame, as_of=AS_OF)

    outcome = report.outcome("record_key_unique")
    assert not outcome.success
    assert outcome.unexpected_count == 2
    assert outcome.sample == ("K-00001",)
    assert _failed(report) == {"record_key_unique"}


def test_unknown_enum_value_is_blocking() -> None:
    frame = with_values(valid_frame("survey_members"), "relation", {0: "cousin"})

    report = validate_table("survey_members", frame, as_of=AS_OF)

    assert _failed(report) == {"relation_in_set"}
    assert report.outcome("relation_in_set").sample == ("cousin",)


def test_unknown_need_in_a_list_column_is_blocking() -> None:
    frame = with_values(valid_frame("survey_households"), "needs", {2: ["job", "yacht"]})

    report = validate_table("survey_households", frame, as_of=AS_OF)

    assert _failed(report) == {"needs_format"}
    assert report.outcome("needs_format").sample == ("job,yacht",)


def test_bad_mahalla_code_is_blocking() -> None:
    frame = with_values(valid_frame("appeals"), "mahalla_code", {0: "170320201"})

    report = validate_table("appeals", frame, as_of=AS_OF)

    assert _failed(report) == {"mahalla_code_format"}
    assert report.outcome("mahalla_code_format").sample == ("170320201",)


def test_forty_percent_invalid_pinfls_only_warns() -> None:
    frame = with_values(
        valid_frame("employment", rows=10),
        "pinfl_issue",
        {0: "bad_check_digit", 3: "bad_check_digit", 6: "inconsistent", 9: "wrong_length"},
    )

    report = validate_table("employment", frame, as_of=AS_OF)

    outcome = report.outcome("pinfl_valid_rate")
    assert not outcome.success
    assert outcome.unexpected_percent == pytest.approx(40.0)
    assert report.warnings == [outcome]
    assert report.passed


def test_missing_pinfls_do_not_count_against_validity() -> None:
    frame = with_values(
        valid_frame("bank", rows=10),
        "pinfl",
        {0: None, 1: None, 2: None, 3: None, 4: None},
    )
    frame = with_values(frame, "pinfl_issue", dict.fromkeys(range(5), "empty"))

    report = validate_table("bank", frame, as_of=AS_OF)

    assert report.outcome("pinfl_valid_rate").success
    assert _failed(report) == {"pinfl_null_rate"}


def test_old_dates_in_the_data_do_not_fail_the_suite() -> None:
    old = datetime(2021, 1, 5, tzinfo=UTC)
    frame = valid_frame("tax").with_columns(
        pl.lit(old).cast(pl.Datetime("us", "UTC")).alias("updated_at")
    )

    report = validate_table("tax", frame, as_of=date(2030, 1, 1))

    assert _failed(report) == set()
    assert report.passed


def test_out_of_range_values_warn_with_the_values() -> None:
    frame = with_values(valid_frame("land"), "area_ha", {1: 0.0, 2: 5000.0})

    report = validate_table("land", frame, as_of=AS_OF)

    outcome = report.outcome("area_ha_range")
    assert outcome.unexpected_count == 2
    assert set(outcome.sample) == {"0.0", "5000.0"}
    assert report.passed


def test_large_frame_is_sampled_deterministically_but_keys_checked_in_full() -> None:
    frame = valid_frame("registry_assistants", rows=60)
    frame = with_values(frame, "record_key", {58: "K-00059"})

    first = validate_table("registry_assistants", frame, as_of=AS_OF, sample_limit=20, seed=7)
    again = validate_table("registry_assistants", frame, as_of=AS_OF, sample_limit=20, seed=7)

    assert (first.rows, first.rows_validated, first.sampled) == (60, 20, True)
    assert first.outcomes == again.outcomes
    unique = first.outcome("record_key_unique")
    assert (unique.success, unique.rows_checked, unique.sample) == (False, 60, ("K-00059",))
    assert first.outcome("assistant_id_not_null").rows_checked == 20


def test_metadata_is_small_json_with_the_failed_rules_only() -> None:
    frame = with_values(valid_frame("survey_members"), "relation", {0: "cousin"})

    metadata = validate_table("survey_members", frame, as_of=AS_OF).to_metadata()

    assert json.loads(json.dumps(metadata)) == metadata
    assert metadata["blocking_failures"] == 1
    assert metadata["failed"] == {
        "relation_in_set": {
            "severity": "blocking",
            "expectation": "expect_column_values_to_be_in_set",
            "column": "relation",
            "unexpected_count": 1,
            "unexpected_percent": pytest.approx(33.3333),
            "sample": ["cousin"],
        }
    }


def test_empty_frame_warns_but_does_not_block() -> None:
    report = validate_table("bank", valid_frame("bank").clear(), as_of=AS_OF)

    assert report.passed
    assert _failed(report) == {"not_empty"}


def test_default_as_of_is_today(gx_session: GxSession) -> None:
    born = AS_OF + timedelta(days=1)
    frame = valid_frame("employment").with_columns(pl.lit(born).alias("birth_on"))

    assert date.today() > born
    assert validate_table("employment", frame).outcome("birth_on_range").success
    assert not validate_table("employment", frame, as_of=AS_OF).outcome("birth_on_range").success
