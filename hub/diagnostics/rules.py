"""The diagnostic rules as versioned configuration: one TOML file, checked once on load.

`load_rules()` reads `rules.toml` beside this module (or the file named by
`HUB_DIAGNOSTIC_RULES`, or a path given); every setting is typed, so a wrong type, a
missing setting, an unknown one or a gap in the years is refused at load with a
`RulesFileError` that names the file and the setting. Asking for a year the file does not
configure before its first raises `MissingRuleYearError` naming the year and the years there
are. A year after the last keeps the last year's settings, as a published figure stays in
force until the next one is announced (a warning says so, and every figure records the MCE
it used), so the hub does not stop on New Year's Day before the file is updated.

Errors:

    RulesError (ValueError)
    ├── RulesFileError        the file is unreadable, not TOML, or a setting is wrong
    └── MissingRuleYearError  a computation asked for a year the file does not configure
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

logger = logging.getLogger(__name__)

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.toml")
RULES_PATH_VARIABLE = "HUB_DIAGNOSTIC_RULES"

PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
PositiveFloat = Annotated[float, msgspec.Meta(gt=0)]
Age = Annotated[int, msgspec.Meta(ge=0, le=130)]
Category = Annotated[int, msgspec.Meta(ge=1, le=4)]


class RulesError(ValueError):
    """The diagnostic rules cannot be used as they are."""


class RulesFileError(RulesError):
    """The rules file cannot be read, or one of its settings is missing or wrong."""


class MissingRuleYearError(RulesError):
    """A computation needs a year's settings that the rules file does not have."""


class YearRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One year's money settings (soums per month)."""

    mce_uzs: PositiveInt
    well_off: PositiveFloat
    poverty_line: PositiveFloat
    placed_wage_uzs: NonNegativeInt
    land_income_uzs_per_ha: NonNegativeInt


class CategorySettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    able_min_age: Age
    able_max_age: Age
    not_able_occupations: frozenset[str]
    subsidy_months: PositiveInt
    iron_notebook_is_category_4: bool


class IronRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    categories: frozenset[Category]


class BandRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An age band (whole years, both ends included), optionally one sex, low-income
    categories."""

    min_age: Age
    max_age: Age
    categories: frozenset[Category]
    sex: Literal["M", "F"] | None = None


class NotebookRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    iron: IronRules
    women: BandRules
    youth: BandRules


AssistantComponent = Literal[
    "placed",
    "self_employment",
    "loans_and_subsidies",
    "households_up",
    "notebook_gaps_closed",
    "appeals_resolved",
]


class RatingRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    overdue_days: PositiveInt
    min_received: NonNegativeInt
    per_households: PositiveInt
    assistant_weights: dict[AssistantComponent, float]


class _File(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    years: dict[str, Any]
    category: CategorySettings
    notebooks: NotebookRules
    ratings: RatingRules


@dataclass(frozen=True)
class RuleBook:
    """The checked rules; `origin` is the file they came from (for messages)."""

    version: str
    years: Mapping[int, YearRules]
    category: CategorySettings
    notebooks: NotebookRules
    ratings: RatingRules
    origin: str

    def for_year(self, year: int) -> YearRules:
        rules = self.years.get(year)
        last = max(self.years)
        if rules is None and year > last:
            logger.warning(
                "Rules file %r has no [years.%d]: the settings of %d stay in force until it does.",
                self.origin,
                year,
                last,
            )
            return self.years[last]
        if rules is None:
            raise MissingRuleYearError(
                f"Rules file {self.origin!r} has no [years.{year}]: it configures "
                f"{min(self.years)}..{max(self.years)}. Add the year's settings "
                "(mce_uzs, well_off, poverty_line, placed_wage_uzs, land_income_uzs_per_ha)."
            )
        return rules


def _convert(origin: str, where: str, value: Any, kind: type[Any]) -> Any:
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        prefix = f"{where}." if where else ""
        message = str(exc).replace("`$.", f"`{prefix}").replace("`$`", f"`{where or 'the file'}`")
        if where and " - at `" not in message:
            message = f"{message} - at `{where}`"
        raise RulesFileError(f"Rules file {origin!r}: {message}") from exc


def _years(origin: str, raw: Mapping[str, Any]) -> dict[int, YearRules]:
    years: dict[int, YearRules] = {}
    for key, value in raw.items():
        if not key.isdigit() or not 1990 <= int(key) <= 2100:
            raise RulesFileError(f"Rules file {origin!r}: [years.{key}] is not a year.")
        years[int(key)] = _convert(origin, f"years.{key}", value, YearRules)
    if not years:
        raise RulesFileError(f"Rules file {origin!r}: no [years.YYYY] table.")
    missing = sorted(set(range(min(years), max(years) + 1)) - set(years))
    if missing:
        raise RulesFileError(
            f"Rules file {origin!r}: year {missing[0]} is missing between {min(years)} and "
            f"{max(years)}; every year in between needs its own [years.{missing[0]}]."
        )
    for year, rules in sorted(years.items()):
        if rules.well_off <= rules.poverty_line:
            raise RulesFileError(
                f"Rules file {origin!r}: years.{year}.well_off ({rules.well_off}) must be "
                f"above years.{year}.poverty_line ({rules.poverty_line})."
            )
    return years


def _check_bands(origin: str, rules: _File) -> None:
    bands = {"category.able": (rules.category.able_min_age, rules.category.able_max_age)}
    bands |= {
        f"notebooks.{name}": (band.min_age, band.max_age)
        for name, band in (("women", rules.notebooks.women), ("youth", rules.notebooks.youth))
    }
    for name, (low, high) in bands.items():
        if low > high:
            raise RulesFileError(
                f"Rules file {origin!r}: {name} min age {low} is above its max age {high}."
            )


def parse_rules(text: str, origin: str) -> RuleBook:
    """Check the TOML `text` of a rules file; `origin` names it in error messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"Rules file {origin!r} is not valid TOML: {exc}") from exc
    checked: _File = _convert(origin, "", raw, _File)
    _check_bands(origin, checked)
    return RuleBook(
        version=checked.version,
        years=_years(origin, checked.years),
        category=checked.category,
        notebooks=checked.notebooks,
        ratings=checked.ratings,
        origin=origin,
    )


def load_rules(path: Path | None = None, environ: Mapping[str, str] | None = None) -> RuleBook:
    """The rules from `path`, else `$HUB_DIAGNOSTIC_RULES`, else the shipped `rules.toml`."""
    env = os.environ if environ is None else environ
    chosen = path or Path(env.get(RULES_PATH_VARIABLE) or DEFAULT_RULES_PATH)
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(f"Rules file {str(chosen)!r} cannot be read: {exc}") from exc
    return parse_rules(text, chosen.name)
