"""Occupations, incomes, household categories, notebooks, needs, plots and addresses.

Categories follow the default rules of domain/MAHALLA.md from per-capita income against the
minimum consumption expenditure; the Iron Notebook is decided first because it forces
category 4. The assistant's assessed category agrees with the computed one most of the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.generate.name_lists import STREETS
from sandbox.generate.population import CHILD, GRANDCHILD, HEAD, People
from sandbox.generate.territory import Territory

MCE_UZS = 498_000
OCCUPATIONS: tuple[str, ...] = (
    "employed", "unemployed", "self_employed", "entrepreneur", "public_works", "student",
    "pensioner", "child", "homemaker", "migrant_worker", "disabled",
)  # fmt: skip
(EMPLOYED, UNEMPLOYED, SELF_EMPLOYED, ENTREPRENEUR, PUBLIC_WORKS, STUDENT, PENSIONER, CHILD_OCC,
 HOMEMAKER, MIGRANT, DISABLED) = range(len(OCCUPATIONS))  # fmt: skip
NOTEBOOKS: tuple[str | None, ...] = (None, "iron", "women", "youth")
IRON, WOMEN, YOUTH = 1, 2, 3
NEEDS: tuple[str, ...] = (
    "vocational_training", "job", "subsidy", "loan", "land", "housing_repair", "medical",
    "social_aid",
)  # fmt: skip

_ADULT_CHOICES = np.array(
    [EMPLOYED, UNEMPLOYED, SELF_EMPLOYED, ENTREPRENEUR, PUBLIC_WORKS, MIGRANT, DISABLED, HOMEMAKER]
)
_MALE_P = [0.46, 0.12, 0.10, 0.02, 0.03, 0.18, 0.04, 0.05]
_FEMALE_P = [0.33, 0.12, 0.07, 0.01, 0.02, 0.02, 0.03, 0.40]
# Median monthly income (soums) and log-spread per occupation.
_INCOME = {
    EMPLOYED: (1_800_000, 0.5), SELF_EMPLOYED: (1_400_000, 0.6), ENTREPRENEUR: (4_000_000, 0.7),
    PUBLIC_WORKS: (1_100_000, 0.2), MIGRANT: (2_200_000, 0.5), PENSIONER: (750_000, 0.2),
    DISABLED: (650_000, 0.2),
}  # fmt: skip


@dataclass(frozen=True)
class Economy:
    occupation: np.ndarray
    income: np.ndarray
    """Monthly personal income in soums."""
    notebook: np.ndarray
    """0 none, else index into NOTEBOOKS."""
    hh_income: np.ndarray
    hh_category: np.ndarray
    """Category computed by the default rules (the truth)."""
    hh_assessed: np.ndarray
    """Category the assistant assessed (what the survey says)."""
    hh_iron: np.ndarray
    hh_needs: np.ndarray
    """Bit i set = NEEDS[i]."""
    hh_plot_sotix: np.ndarray
    """NaN where the household has no plot (flats in the city)."""
    hh_street: np.ndarray
    hh_house: np.ndarray
    hh_apartment: np.ndarray
    """0 = not a flat."""

    def needs_of(self, household: int) -> list[str]:
        bits = int(self.hh_needs[household])
        return [need for i, need in enumerate(NEEDS) if bits >> i & 1]


def _occupations(people: People, rng: np.random.Generator) -> np.ndarray:
    count = people.count
    age, female = people.age, people.female
    adult = np.where(
        female,
        rng.choice(_ADULT_CHOICES, count, p=_FEMALE_P),
        rng.choice(_ADULT_CHOICES, count, p=_MALE_P),
    )
    pension_age = np.where(female, 55, 60)
    elderly = np.where(rng.random(count) < 0.05, DISABLED, PENSIONER)
    young_adult = np.where(rng.random(count) < 0.35, STUDENT, adult)
    return np.select(
        [age < 7, age < 18, age <= 22, age < pension_age],
        [CHILD_OCC, STUDENT, young_adult, adult],
        default=elderly,
    )


def _incomes(occupation: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    income = np.zeros(len(occupation), dtype=np.int64)
    noise = rng.standard_normal(len(occupation))
    for code, (median, spread) in _INCOME.items():
        mask = occupation == code
        income[mask] = np.round(median * np.exp(spread * noise[mask]), -3).astype(np.int64)
    return income


def generate_economy(people: People, territory: Territory, rng: np.random.Generator) -> Economy:
    """Socio-economic truth of every person and household."""
    occupation = _occupations(people, rng)
    income = _incomes(occupation, rng)
    hh, n_hh = people.household, len(people.hh_size)

    def per_household(mask: np.ndarray) -> np.ndarray:
        return np.bincount(hh, weights=mask.astype(np.int64), minlength=n_hh)

    hh_income = np.bincount(hh, weights=income, minlength=n_hh).astype(np.int64)
    per_capita = hh_income / people.hh_size
    able = (people.age >= 18) & (people.age <= 60) & (occupation != DISABLED)
    has_disabled = per_household(occupation == DISABLED) > 0
    has_unemployed = per_household(able & (occupation == UNEMPLOYED)) > 0
    minors = per_household((people.age < 18) & np.isin(people.relation, [CHILD, GRANDCHILD]))
    hardship = has_disabled | has_unemployed | (minors >= 4)
    hh_iron = (per_capita < MCE_UZS) & hardship & (rng.random(n_hh) < 0.7)
    no_able = per_household(able) == 0
    category = np.select(
        [per_capita >= 1.5 * MCE_UZS, per_capita >= MCE_UZS, hh_iron | no_able], [1, 2, 4], 3
    )
    shift = rng.choice([-1, 0, 1], n_hh, p=[0.07, 0.86, 0.07])
    assessed = (category + shift).clip(1, 4)
    notebook = _notebooks(people, occupation, category, hh_iron, rng)
    urban = np.array([m.urban for m in territory.mahallas])[people.hh_mahalla]
    plot = np.round(rng.gamma(2.5, 2.2, n_hh).clip(0.5, 40) * 2) / 2
    plot = np.where(urban & (rng.random(n_hh) < 0.9), np.nan, plot)
    flags = {
        "unemployed": has_unemployed, "disabled": has_disabled,
        "business": per_household(np.isin(occupation, [SELF_EMPLOYED, ENTREPRENEUR])) > 0,
        "young_unemployed": per_household((occupation == UNEMPLOYED) & (people.age < 35)) > 0,
    }  # fmt: skip
    return Economy(
        occupation=occupation,
        income=income,
        notebook=notebook,
        hh_income=hh_income,
        hh_category=category,
        hh_assessed=assessed,
        hh_iron=hh_iron,
        hh_needs=_needs(category, plot, flags, rng),
        hh_plot_sotix=plot,
        hh_street=(people.hh_mahalla * 7 + rng.integers(0, 8, n_hh)) % len(STREETS),
        hh_house=rng.integers(1, 150, n_hh),
        hh_apartment=np.where(urban, rng.integers(1, 120, n_hh), 0),
    )


def _notebooks(
    people: People,
    occupation: np.ndarray,
    category: np.ndarray,
    hh_iron: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    hh = people.household
    draw = rng.random(people.count)
    iron = (people.relation == HEAD) & hh_iron[hh]
    women = (
        people.female
        & (people.age > 30)
        & np.isin(occupation, [UNEMPLOYED, HOMEMAKER, DISABLED])
        & (category[hh] >= 3)
        & (draw < 0.6)
    )
    youth = (
        (people.age >= 18)
        & (people.age <= 30)
        & ((occupation == UNEMPLOYED) | hh_iron[hh])
        & (draw < 0.6)
    )
    return np.select([iron, women, youth], [IRON, WOMEN, YOUTH], 0).astype(np.int8)


def _needs(
    category: np.ndarray, plot: np.ndarray, flags: dict[str, np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    n = len(category)
    chance = {
        "vocational_training": flags["young_unemployed"] * 0.5,
        "job": flags["unemployed"] * 0.8,
        "subsidy": (category >= 3) * 0.6,
        "loan": np.maximum(flags["business"] * 0.4, (category == 2) * 0.1),
        "land": (np.nan_to_num(plot, nan=0.0) < 3) * 0.2,
        "housing_repair": np.where(category >= 3, 0.2, 0.05),
        "medical": flags["disabled"] * 0.7,
        "social_aid": (category == 4) * 0.7,
    }
    bits = np.zeros(n, dtype=np.int64)
    for i, need in enumerate(NEEDS):
        bits |= (rng.random(n) < chance[need]).astype(np.int64) << i
    return bits
