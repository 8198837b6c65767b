"""Households and their members: composition, ages, sexes, names, birth dates and PINFLs.

All draws are vectorised: one array per attribute, persons ordered by household and member
number, households ordered by mahalla. Ages are full years on the world's reference date
(WorldDates.reference_on, 1 January of its base year: the start of the mahallabay system).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.generate.dating import WorldDates
from sandbox.generate.name_forms import TrueName
from sandbox.generate.name_lists import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from sandbox.generate.pinfl import make_pinfls
from sandbox.generate.territory import Territory

RELATIONS: tuple[str, ...] = ("head", "spouse", "child", "parent", "sibling", "grandchild", "other")
HEAD, SPOUSE, CHILD, PARENT, SIBLING, GRANDCHILD, OTHER = range(len(RELATIONS))
_MOBILE_CODES = np.array([90, 91, 93, 94, 97, 99, 88, 33], dtype=np.int64)


@dataclass(frozen=True)
class People:
    """Every person and household of the world (parallel arrays)."""

    hh_mahalla: np.ndarray
    """Index into Territory.mahallas per household."""
    hh_start: np.ndarray
    """First person row of each household."""
    hh_size: np.ndarray
    hh_number: np.ndarray
    """1-based number of the household within its mahalla."""
    household: np.ndarray
    member_no: np.ndarray
    relation: np.ndarray
    female: np.ndarray
    age: np.ndarray
    birth_on: np.ndarray
    surname: np.ndarray
    given: np.ndarray
    """Index into FEMALE_GIVEN for women, MALE_GIVEN for men."""
    father: np.ndarray
    """Index into MALE_GIVEN: the father's given name, source of the patronymic."""
    pinfl: np.ndarray
    phone: np.ndarray
    """Nine digits after +998."""
    passport: np.ndarray
    """Seven-digit passport number; the series is derived from it."""

    @property
    def count(self) -> int:
        return len(self.household)

    def true_name(self, person: int) -> TrueName:
        surname, surname_cyr = SURNAMES[self.surname[person]]
        female = bool(self.female[person])
        given, given_cyr = (FEMALE_GIVEN if female else MALE_GIVEN)[self.given[person]]
        father, father_cyr = MALE_GIVEN[self.father[person]]
        if female:
            surname, surname_cyr = surname + "a", surname_cyr + "а"
        return TrueName(surname, given, father, surname_cyr, given_cyr, father_cyr, female)

    def passport_text(self, person: int) -> str:
        number = int(self.passport[person])
        series = "A" + "BCDEFGHK"[number % 8] if number % 3 else "FA"
        return f"{series}{number:07d}"


def _zipf_choice(rng: np.random.Generator, n_items: int, size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n_items + 1) ** 0.8
    chosen: np.ndarray = rng.choice(n_items, size, p=weights / weights.sum())
    return chosen


def _cumcount(counts: np.ndarray) -> np.ndarray:
    """0,1,..,c-1 for each group of the repeat counts."""
    starts = np.cumsum(counts) - counts
    within: np.ndarray = np.arange(int(counts.sum())) - np.repeat(starts, counts)
    return within


@dataclass
class _Households:
    head_age: np.ndarray
    head_female: np.ndarray
    spouse_age: np.ndarray
    has_spouse: np.ndarray
    n_parents: np.ndarray
    n_children: np.ndarray
    n_grand: np.ndarray
    mother_age: np.ndarray
    eldest_age: np.ndarray

    def sizes(self) -> np.ndarray:
        sizes: np.ndarray = 1 + self.has_spouse + self.n_parents + self.n_children + self.n_grand
        return sizes


def _draw_households(count: int, rng: np.random.Generator) -> _Households:
    head_age = rng.triangular(20, 36, 88, count).astype(np.int64)
    head_female = rng.random(count) < 0.14
    p_spouse = np.where(head_female, 0.25, np.where(head_age > 70, 0.6, 0.93))
    has_spouse = rng.random(count) < p_spouse
    spouse_age = np.where(
        head_female, head_age + rng.integers(0, 6, count), head_age - rng.integers(0, 8, count)
    ).clip(18, 95)
    mother_age = np.where(head_female, head_age, np.where(has_spouse, spouse_age, head_age - 3))
    max_children = ((mother_age - 19) // 2).clip(0, 6)
    n_children = np.minimum(rng.poisson(np.where(head_age < 55, 2.6, 1.0)), max_children)
    n_parents = np.where(head_age < 50, rng.choice(3, count, p=[0.6, 0.22, 0.18]), 0)
    eldest_age = mother_age - 21 - rng.integers(0, 3, count)
    may_have_grand = (eldest_age >= 20) & (n_children > 0) & (head_age >= 45)
    n_grand = np.where(may_have_grand, rng.choice(4, count, p=[0.5, 0.2, 0.2, 0.1]), 0)
    alone = (1 + has_spouse + n_parents + n_children + n_grand) == 1
    has_spouse = has_spouse | alone
    households = _Households(
        head_age, head_female, spouse_age, has_spouse.astype(np.int64), n_parents,
        n_children, n_grand, mother_age, eldest_age,
    )  # fmt: skip
    overflow = (households.sizes() - 8).clip(0)
    for field in ("n_grand", "n_children", "n_parents"):
        values = getattr(households, field)
        cut = np.minimum(values, overflow)
        setattr(households, field, values - cut)
        overflow = overflow - cut
    return households


def generate_people(
    target: int, territory: Territory, dates: WorldDates, rng: np.random.Generator
) -> People:
    """About `target` people (never more; short by less than one household) in households."""
    drawn = _draw_households(target // 3 + 16, rng)
    sizes = drawn.sizes()
    keep = max(1, int(np.searchsorted(np.cumsum(sizes), target, side="right")))
    hh = _Households(*(getattr(drawn, f)[:keep] for f in drawn.__dataclass_fields__))
    n_households = keep
    hh_mahalla = np.sort(
        rng.choice(len(territory.mahallas), n_households, p=territory.mahalla_weights)
    )
    surname_root = _zipf_choice(rng, len(SURNAMES), n_households)
    head_given = np.where(
        hh.head_female,
        _zipf_choice(rng, len(FEMALE_GIVEN), n_households),
        _zipf_choice(rng, len(MALE_GIVEN), n_households),
    )
    blocks = _member_blocks(hh, head_given, surname_root, rng)
    order = np.lexsort((blocks["order"], blocks["household"]))
    columns = {name: values[order] for name, values in blocks.items()}
    hh_size = hh.sizes()
    hh_start = np.cumsum(hh_size) - hh_size
    female = columns["female"].astype(bool)
    birth_on = _birth_dates(columns["age"], dates, rng)
    count = len(order)
    mahalla_start = np.searchsorted(hh_mahalla, hh_mahalla, side="left")
    return People(
        hh_mahalla=hh_mahalla,
        hh_start=hh_start,
        hh_size=hh_size,
        hh_number=np.arange(n_households) - mahalla_start + 1,
        household=columns["household"],
        member_no=_cumcount(hh_size) + 1,
        relation=columns["relation"],
        female=female,
        age=columns["age"],
        birth_on=birth_on,
        surname=columns["surname"],
        given=columns["given"],
        father=columns["father"],
        pinfl=make_pinfls(birth_on, female, rng),
        phone=rng.choice(_MOBILE_CODES, count) * 10**7 + rng.integers(0, 10**7, count),
        passport=rng.integers(1_000_000, 10_000_000, count),
    )


def _birth_dates(age: np.ndarray, dates: WorldDates, rng: np.random.Generator) -> np.ndarray:
    """A birth date giving exactly `age` full years on the reference date (1 January): born
    after 1 January of the year `age` + 1 years before it."""
    born_in = dates.base_year - 1 - age
    year_start = (born_in - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    birth_on: np.ndarray = year_start + rng.integers(1, 365, len(age)).astype("timedelta64[D]")
    return birth_on


def _member_blocks(
    hh: _Households, head_given: np.ndarray, surname_root: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Rows of every role, each with its household, sort order, age, sex and name indexes."""
    n = len(hh.head_age)
    ids = np.arange(n)
    n_male, n_female = len(MALE_GIVEN), len(FEMALE_GIVEN)

    def given_for(female: np.ndarray) -> np.ndarray:
        size = len(female)
        return np.where(female, _zipf_choice(rng, n_female, size), _zipf_choice(rng, n_male, size))

    # Parents of the head: with two, the first is the father; a single one is usually the mother.
    p_hh = np.repeat(ids, hh.n_parents)
    p_k = _cumcount(hh.n_parents)
    p_female = np.where(hh.n_parents[p_hh] == 2, p_k == 1, rng.random(len(p_hh)) < 0.7)
    p_gap = np.where(p_female, rng.integers(19, 30, len(p_hh)), rng.integers(22, 34, len(p_hh)))
    p_age = (hh.head_age[p_hh] + p_gap).clip(max=98)
    p_given = given_for(p_female)
    head_father = _zipf_choice(rng, n_male, n)
    fathers_present = ~p_female
    head_father[p_hh[fathers_present]] = p_given[fathers_present]

    s_hh = ids[hh.has_spouse.astype(bool)]
    s_female = ~hh.head_female[s_hh]
    s_given = given_for(s_female)
    s_surname = np.where(
        rng.random(len(s_hh)) < 0.9, surname_root[s_hh], _zipf_choice(rng, len(SURNAMES), len(s_hh))
    )
    # Children take the patronymic from the head, or from the head's husband.
    child_father = np.where(hh.head_female, _zipf_choice(rng, n_male, n), head_given)
    child_father[s_hh[~s_female]] = s_given[~s_female]

    c_hh = np.repeat(ids, hh.n_children)
    c_k = _cumcount(hh.n_children)
    c_age = (hh.eldest_age[c_hh] - 2 * c_k - rng.integers(0, 2, len(c_hh))).clip(0)
    c_female = rng.random(len(c_hh)) < 0.49

    g_hh = np.repeat(ids, hh.n_grand)
    g_age = rng.integers(0, (hh.eldest_age[g_hh] - 19).clip(1, 16))
    g_female = rng.random(len(g_hh)) < 0.49

    def block(
        hhs: np.ndarray, order: np.ndarray, relation: int, age: np.ndarray, female: np.ndarray,
        surname: np.ndarray, given: np.ndarray, father: np.ndarray,
    ) -> dict[str, np.ndarray]:  # fmt: skip
        return {
            "household": hhs, "order": order, "relation": np.full(len(hhs), relation),
            "age": age, "female": female, "surname": surname, "given": given, "father": father,
        }  # fmt: skip

    parts = [
        block(ids, np.zeros(n, np.int64), HEAD, hh.head_age, hh.head_female, surname_root,
              head_given, head_father),
        block(s_hh, np.ones(len(s_hh), np.int64), SPOUSE, hh.spouse_age[s_hh], s_female,
              s_surname, s_given, _zipf_choice(rng, n_male, len(s_hh))),
        block(c_hh, 2 + c_k, CHILD, c_age, c_female, surname_root[c_hh], given_for(c_female),
              child_father[c_hh]),
        block(p_hh, 10 + p_k, PARENT, p_age, p_female, surname_root[p_hh], p_given,
              _zipf_choice(rng, n_male, len(p_hh))),
        block(g_hh, 20 + _cumcount(hh.n_grand), GRANDCHILD, g_age, g_female, surname_root[g_hh],
              given_for(g_female), _zipf_choice(rng, n_male, len(g_hh))),
    ]  # fmt: skip
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
