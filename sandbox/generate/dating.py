"""The named dates of a generated world, all derived from one base year.

A world is the first year of the mahallabay system seen through its agencies: assistants
appointed from 1 January of the base year, households surveyed from January to March, job
seekers registered in its first half, appeals received through the year, land snapshots on
1 June and 1 December, taxpayers registered from the year before. The base year used to be
2022 in every writer; a demo run years later then showed a world years stale, so the year is
a parameter (default 2022: the same seed gives the same bytes as before) and every writer
takes its dates, ids and file names from a `WorldDates` instead of writing a year.

Only days that exist in every year are named (never 29 February); the rest is day arithmetic
from them, so a leap base year shifts nothing but the calendar. The one exception to "inside
the base year" is the tax API: a taxpayer registered late in the year is revised into the
next one, up to `last_on`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

DEFAULT_BASE_YEAR = 2022
EARLIEST_BASE_YEAR = 2000
"""People are up to 99 years old on the reference date: born from 1901, inside the PINFL's
1900s and 2000s centuries; and the hub's plausible survey and appeal dates start in 2000."""
LATEST_BASE_YEAR = 2099
"""Births are before the base year; the PINFL has no century digit for births after 2099."""


def check_base_year(year: int) -> int:
    """`year` if a world can be dated in it; ValueError naming the allowed range otherwise."""
    if not EARLIEST_BASE_YEAR <= year <= LATEST_BASE_YEAR:
        raise ValueError(
            f"Base year {year} is outside {EARLIEST_BASE_YEAR}..{LATEST_BASE_YEAR}: people "
            "would be born outside the PINFL's centuries or surveyed before 2000."
        )
    return year


@dataclass(frozen=True)
class WorldDates:
    """The dates a world's writers use, for `base_year` (validated on construction)."""

    base_year: int = DEFAULT_BASE_YEAR

    def __post_init__(self) -> None:
        check_base_year(self.base_year)

    def day(self, month: int, day: int, *, years_later: int = 0) -> np.datetime64:
        """`day`.`month` of the base year (`years_later` after it) as a numpy day."""
        return np.datetime64(date(self.base_year + years_later, month, day), "D")

    @property
    def reference_on(self) -> np.datetime64:
        """1 January: the system starts; ages are full years on this day (world.json)."""
        return self.day(1, 1)

    @property
    def year_start(self) -> np.datetime64:
        """Midnight of 1 January, to the second: appeals count seconds from it."""
        return np.datetime64(datetime(self.base_year, 1, 1), "s")

    @property
    def first_appointed_from(self) -> np.datetime64:
        """First assistants take office within two weeks from 1 January."""
        return self.reference_on

    @property
    def replacements_from(self) -> np.datetime64:
        """A replaced assistant's successor is appointed from 1 March."""
        return self.day(3, 1)

    @property
    def survey_from(self) -> np.datetime64:
        """Door-to-door surveys start on 10 January."""
        return self.day(1, 10)

    @property
    def resurvey_from(self) -> np.datetime64:
        """Households surveyed again start on 1 September."""
        return self.day(9, 1)

    @property
    def employment_months(self) -> tuple[date, ...]:
        """First days of the six monthly job-seeker exports, January to June."""
        return tuple(date(self.base_year, month, 1) for month in range(1, 7))

    @property
    def tax_registered_from(self) -> date:
        """Taxpayers registered from 1 January of the year before."""
        return date(self.base_year - 1, 1, 1)

    @property
    def tax_updated_from(self) -> datetime:
        """No taxpayer item is updated before the base year starts."""
        return datetime(self.base_year, 1, 1)

    @property
    def tax_closed_before(self) -> date:
        """A first version shows a closing date only before 1 November."""
        return date(self.base_year, 11, 1)

    @property
    def loans_issued_from(self) -> np.datetime64:
        """Loans are issued from 15 January."""
        return self.day(1, 15)

    @property
    def land_snapshots(self) -> tuple[np.datetime64, np.datetime64]:
        """The two lease snapshots: 1 June and 1 December."""
        return self.day(6, 1), self.day(12, 1)

    @property
    def leases_start_from(self) -> np.datetime64:
        """Leases start from 1 March of the year before."""
        return self.day(3, 1, years_later=-1)

    @property
    def last_on(self) -> np.datetime64:
        """Nothing that happened in the world is dated later (a lease's agreed end lies years
        ahead by nature): the tax API's revisions run latest, into November of the next year
        (registered up to 690 days after `tax_registered_from`, updated up to 300 days after
        that, revised up to 60 days later)."""
        return self.day(11, 30, years_later=1)
