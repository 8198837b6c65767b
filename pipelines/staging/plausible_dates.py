"""Plausible date ranges per staged field: outside its range a date is a row reject.

A date the contract's format accepts may still be impossible for its field (a survey in
1800, a lease starting in 1066, a birth next year). Each dated field of the staged tables
has a range, as data: the earliest plausible date and the latest, the latter either a fixed
date or `today` plus a number of days (a lease may end decades from now, a survey may not
be done tomorrow). Date-times are compared by their UTC date.

The defaults below can be changed without a release through `HUB_PLAUSIBLE_DATES`: a
comma-separated list of `<table>.<column>=<earliest>..<latest>`, each bound an ISO date,
`today`, or `today+<days>d` / `today-<days>d`, for example
`survey_households.surveyed_on=2015-01-01..today,land.ends_on=1991-01-01..today+36525d`.
Fields not named keep their defaults; an unknown field or a bad bound stops the run with a
message naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final

from pipelines.quality.thresholds import FIRST_BIRTH_ON

VARIABLE: Final = "HUB_PLAUSIBLE_DATES"


class PlausibleDatesError(ValueError):
    """`HUB_PLAUSIBLE_DATES` does not parse; the message names the variable and the value."""


@dataclass(frozen=True)
class Bound:
    """A fixed date, or `today` shifted by `days` (when `fixed` is None)."""

    fixed: date | None = None
    days: int = 0

    def on(self, today: date) -> date:
        return self.fixed if self.fixed is not None else today + timedelta(days=self.days)

    def __str__(self) -> str:
        if self.fixed is not None:
            return self.fixed.isoformat()
        return "today" if self.days == 0 else f"today{self.days:+d}d"


TODAY: Final = Bound()


@dataclass(frozen=True)
class DateRange:
    earliest: Bound
    latest: Bound

    def __str__(self) -> str:
        return f"{self.earliest}..{self.latest}"


def _fixed(text: str) -> Bound:
    return Bound(date.fromisoformat(text))


_BIRTH = DateRange(Bound(FIRST_BIRTH_ON), TODAY)
_SINCE_1991 = DateRange(_fixed("1991-01-01"), TODAY)
_SINCE_2000 = DateRange(_fixed("2000-01-01"), TODAY)

DEFAULT_RANGES: Final[dict[str, dict[str, DateRange]]] = {
    "registry_assistants": {"appointed_on": _SINCE_1991},
    "survey_households": {"surveyed_on": _SINCE_2000},
    "survey_members": {"birth_on": _BIRTH, "surveyed_on": _SINCE_2000},
    "tax": {
        "birth_on": _BIRTH,
        "registered_on": _SINCE_1991,
        "closed_on": _SINCE_1991,
        "updated_at": DateRange(_fixed("2000-01-01"), Bound(days=1)),
    },
    "employment": {"birth_on": _BIRTH, "status_on": _SINCE_1991},
    "land": {
        "starts_on": DateRange(_fixed("1991-01-01"), Bound(days=366)),
        "ends_on": DateRange(_fixed("1991-01-01"), Bound(days=36525)),
    },
    "bank": {"birth_on": _BIRTH, "issued_on": _SINCE_1991},
    "appeals": {
        "received_at": DateRange(_fixed("2000-01-01"), Bound(days=1)),
        "resolved_at": DateRange(_fixed("2000-01-01"), Bound(days=1)),
    },
}
"""Staged table -> dated column -> its plausible range (the defaults)."""


@dataclass(frozen=True)
class PlausibleDates:
    """The ranges in force: the defaults, with what the environment changed."""

    ranges: Mapping[str, Mapping[str, DateRange]] = field(default_factory=lambda: DEFAULT_RANGES)

    def of(self, table: str) -> Mapping[str, DateRange]:
        return self.ranges.get(table, {})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PlausibleDates:
        env = os.environ if environ is None else environ
        text = (env.get(VARIABLE) or "").strip()
        if not text:
            return cls()
        ranges = {table: dict(columns) for table, columns in DEFAULT_RANGES.items()}
        for item in text.split(","):
            table, column, found = _parse_item(item.strip(), text)
            ranges[table][column] = found
        return replace(cls(), ranges=ranges)


_ITEM = re.compile(r"(\w+)\.(\w+)=([^.]+)\.\.([^.]+)")
_RELATIVE = re.compile(r"today(?:([+-])(\d+)d)?")


def _parse_item(item: str, whole: str) -> tuple[str, str, DateRange]:
    found = _ITEM.fullmatch(item)
    if found is None:
        raise PlausibleDatesError(
            f"{VARIABLE} has value {whole!r}. The part {item!r} is not "
            "<table>.<column>=<earliest>..<latest>."
        )
    table, column, earliest, latest = found.groups()
    if column not in DEFAULT_RANGES.get(table, {}):
        known = sorted(f"{t}.{c}" for t, columns in DEFAULT_RANGES.items() for c in columns)
        raise PlausibleDatesError(
            f"{VARIABLE} has value {whole!r}. '{table}.{column}' is not a dated field; "
            f"known: {', '.join(known)}."
        )
    return table, column, DateRange(_bound(earliest, whole), _bound(latest, whole))


def _bound(text: str, whole: str) -> Bound:
    relative = _RELATIVE.fullmatch(text)
    if relative is not None:
        sign, days = relative.groups()
        return Bound(days=(-1 if sign == "-" else 1) * int(days or 0))
    try:
        return _fixed(text)
    except ValueError:
        raise PlausibleDatesError(
            f"{VARIABLE} has value {whole!r}. The bound {text!r} is not an ISO date, "
            "'today' or 'today+<days>d'."
        ) from None
