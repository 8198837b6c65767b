"""A row breaking a blocking rule on one value is quarantined; the checks judge structure."""

from __future__ import annotations

from pipelines.quality.row_gate import gate_rows
from pipelines.quality.validate import validate_table
from tests.pipelines.quality.staged_frames import AS_OF, valid_frame, with_values


def test_rows_breaking_single_value_rules_are_rejected_with_their_rule_and_reason() -> None:
    frame = with_values(valid_frame("tax", 4), "tax_year", {1: None})
    frame = with_values(frame, "regime", {2: "smuggler"})
    kept, rejects = gate_rows("tax", frame)
    assert kept.height == 2
    assert kept["record_key"].to_list() == frame["record_key"].to_list()[0::3]
    found = {row["rule"]: row for row in rejects.iter_rows(named=True)}
    assert set(found) == {"tax_year_not_null", "regime_in_set"}
    key = frame["record_key"][1]
    assert found["tax_year_not_null"]["reasons"] == [
        f"tax: record '{key}' has no tax_year; the table requires it"
    ]
    assert (
        "regime 'smuggler' is not one of individual_entrepreneur, self_employed"
        in (found["regime_in_set"]["reasons"][0])
    )
    assert found["regime_in_set"]["record_key"] == frame["record_key"][2]


def test_a_list_column_is_judged_as_the_checks_see_it() -> None:
    frame = with_values(valid_frame("survey_households", 2), "needs", {0: ["subsidy", "yacht"]})
    kept, rejects = gate_rows("survey_households", frame)
    assert kept.height == 1
    assert rejects["rule"].to_list() == ["needs_format"]


def test_a_valid_frame_passes_the_gate_whole() -> None:
    for table in ("tax", "bank", "employment", "land", "survey_members", "appeals"):
        frame = valid_frame(table, 3)
        kept, rejects = gate_rows(table, frame)
        assert kept.height == 3 and rejects.is_empty(), table


def test_the_structure_check_fails_on_a_share_of_failures_never_on_one_row() -> None:
    frame = valid_frame("tax", 200)
    one = validate_table("tax", with_values(frame, "tax_year", {7: None}), as_of=AS_OF)
    assert one.passed
    many = with_values(frame, "tax_year", {i: None for i in range(0, 200, 20)})
    report = validate_table("tax", many, as_of=AS_OF)
    assert [o.rule for o in report.blocking_failures] == ["tax_year_not_null"]


def test_an_employment_row_without_a_birth_date_is_kept_as_the_contract_allows() -> None:
    frame = with_values(valid_frame("employment", 2), "birth_on", {0: None})
    kept, rejects = gate_rows("employment", frame)
    assert kept.height == 2 and rejects.is_empty()
