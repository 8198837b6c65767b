"""The rules file is checked on load: every mistake is refused naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.diagnostics.rules import (
    DEFAULT_RULES_PATH,
    MissingRuleYearError,
    RulesFileError,
    load_rules,
    parse_rules,
)

SHIPPED = DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def test_the_shipped_rules_carry_the_domain_defaults() -> None:
    rules = load_rules(environ={})
    assert rules.for_year(2022).mce_uzs == 498_000  # domain/MAHALLA.md
    assert (rules.for_year(2022).well_off, rules.for_year(2022).poverty_line) == (1.5, 1.0)
    assert (rules.category.able_min_age, rules.category.able_max_age) == (18, 60)
    assert rules.notebooks.women.sex == "F" and rules.notebooks.youth.max_age == 30


def test_the_rules_file_can_be_named_by_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "ministry.toml"
    path.write_text(SHIPPED.replace("mce_uzs = 498000", "mce_uzs = 500000"), encoding="utf-8")
    assert load_rules(environ={"HUB_DIAGNOSTIC_RULES": str(path)}).for_year(2022).mce_uzs == (
        500_000
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "mce_uzs = 568000",
            'mce_uzs = "568 000"',
            r"'rules.toml': Expected `int`, got `str` - at `years\.2023\.mce_uzs`",
        ),
        (
            "well_off = 1.5\npoverty_line = 1.0\nplaced_wage_uzs = 980000",
            "well_off = true\npoverty_line = 1.0\nplaced_wage_uzs = 980000",
            r"Expected `float`, got `bool` - at `years\.2023\.well_off`",
        ),
        ("[years.2023]", "[years.2030]", r"year 2023 is missing between 2022 and 2030"),
        ("placed_wage_uzs = 920000\n", "",
         r"missing required field `placed_wage_uzs` - at `years\.2022`"),
        ("mce_uzs = 648000", "mce_uzs = -1", r"Expected `int` >= 1 - at `years\.2024\.mce_uzs`"),
        ("mce_uzs = 648000", "mce_uzs = 648000\nmce = 1",
         r"unknown field `mce` - at `years\.2024`"),
        ("subsidy_months = 12", 'subsidy_months = "12"', r"at `category\.subsidy_months`"),
        ('sex = "F"', 'sex = "W"', r"at `notebooks\.women\.sex`"),
        ("categories = [3, 4]\n\n[notebooks.women]", "categories = [5]\n\n[notebooks.women]",
         r"at `notebooks\.iron\.categories\[0\]`"),
        ("well_off = 1.5\npoverty_line = 1.0\nplaced_wage_uzs = 920000",
         "well_off = 0.9\npoverty_line = 1.0\nplaced_wage_uzs = 920000",
         r"years\.2022\.well_off \(0\.9\) must be above years\.2022\.poverty_line"),
        ("min_age = 14", "min_age = 40", r"notebooks\.youth min age 40 is above its max age 30"),
        ('version = "', 'version = 3\nold = "', r"Expected `str`, got `int` - at `version`"),
        ("[years.2022]", "[years.twenty]", r"\[years\.twenty\] is not a year"),
        ("[category]", "[category", r"is not valid TOML"),
        ("households_up = 2.0", "households_moved = 2.0",
         r"Invalid enum value 'households_moved' - at `key` in `ratings\.assistant_weights`"),
        ("overdue_days = 15", "overdue_days = 15.5", r"at `ratings\.overdue_days`"),
    ],
)  # fmt: skip
def test_a_wrong_setting_is_refused_naming_it(old: str, new: str, message: str) -> None:
    assert old in SHIPPED
    with pytest.raises(RulesFileError, match=message):
        parse_rules(SHIPPED.replace(old, new, 1), "rules.toml")


def test_a_year_before_the_first_is_refused_and_one_after_the_last_keeps_its_settings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rules = parse_rules(SHIPPED, "rules.toml")
    with pytest.raises(MissingRuleYearError, match=r"'rules.toml' has no \[years\.2021\]"):
        rules.for_year(2021)
    last = max(rules.years)
    assert rules.for_year(last + 3) == rules.years[last]
    assert f"no [years.{last + 3}]: the settings of {last} stay in force" in caplog.text


def test_a_missing_rules_file_names_its_path(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match=r"nowhere\.toml' cannot be read"):
        load_rules(tmp_path / "nowhere.toml")
