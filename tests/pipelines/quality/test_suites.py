"""The declared suites: one per staged table, coherent with the staged schemas, GX-free."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from pipelines.quality import DEFAULT_THRESHOLDS, suite_for
from pipelines.quality.suites import TABLE_SPECS
from pipelines.staging.schemas import STAGED_SCHEMAS

AS_OF = date(2022, 6, 30)


def test_every_staged_table_has_a_suite() -> None:
    assert set(TABLE_SPECS) == set(STAGED_SCHEMAS)


@pytest.mark.parametrize("table", sorted(STAGED_SCHEMAS))
def test_suite_rules_are_named_once_and_read_declared_columns(table: str) -> None:
    rules = suite_for(table, as_of=AS_OF)

    names = [rule.name for rule in rules]
    assert len(names) == len(set(names))
    assert {c for rule in rules for c in rule.columns} <= set(STAGED_SCHEMAS[table])


@pytest.mark.parametrize("table", sorted(STAGED_SCHEMAS))
def test_structure_and_key_rules_block_and_the_key_is_checked_in_full(table: str) -> None:
    rules = {rule.name: rule for rule in suite_for(table, as_of=AS_OF)}

    assert rules["columns_match_schema"].severity == "blocking"
    assert all(rules[f"{c}_type"].severity == "blocking" for c in STAGED_SCHEMAS[table])
    for name in ("record_key_not_null", "record_key_unique"):
        assert (rules[name].severity, rules[name].scope) == ("blocking", "full")


@pytest.mark.parametrize("table", sorted(STAGED_SCHEMAS))
def test_statistical_rules_only_warn(table: str) -> None:
    statistical = ("_null_rate", "_valid_rate", "_range")

    for rule in suite_for(table, as_of=AS_OF):
        if rule.name.endswith(statistical):
            assert rule.severity == "warn", rule.name


@pytest.mark.parametrize("table", sorted(STAGED_SCHEMAS))
def test_no_rule_judges_freshness_by_the_data_s_dates(table: str) -> None:
    # A 2022 record delivered today is new: freshness is judged from the deliveries
    # (pipelines/freshness.py), not from the newest date in the data.
    names = {rule.name for rule in suite_for(table, as_of=date(2030, 1, 1))}
    assert not {name for name in names if name.endswith("_fresh")}


def test_pinfl_validity_counts_only_delivered_pinfls() -> None:
    rules = {r.name: r for r in suite_for("survey_members", as_of=AS_OF)}

    rule = rules["pinfl_valid_rate"]
    assert rule.when_present == "pinfl"
    assert rule.kwargs["mostly"] == DEFAULT_THRESHOLDS.min_valid_pinfl_rate


def test_unknown_table_is_a_key_error_listing_the_known_ones() -> None:
    with pytest.raises(KeyError, match="survey_members"):
        suite_for("survey_people", as_of=AS_OF)


def test_declaring_suites_does_not_import_great_expectations() -> None:
    if "great_expectations" in sys.modules:
        pytest.skip("GX already imported by an earlier test in this process")
    suite_for("tax", as_of=AS_OF)
    assert "great_expectations" not in sys.modules
