"""A person by PINFL with the household and mahalla the query selects, in one statement.

`person(pinfl)` followed by `household` and `mahalla` is three statements in two round
trips through the loaders; when the root resolver sees those fields selected it reads them
joined to the person and primes the request's loaders with them (see the territory
bundles for the same idea on mahallas).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select

from hub.api.batch_fetch import Match, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.loaders import Loaders
from hub.api.people.records import HOUSEHOLD, PERSON, HouseholdRecord, PersonRecord
from hub.api.records import record_at, record_columns, select_labelled
from hub.api.territory.data import MAHALLA, MahallaRecord

HOUSEHOLD_PART = "household"
MAHALLA_PART = "mahalla"
PARTS = (HOUSEHOLD_PART, MAHALLA_PART)


def parts_of(names: AbstractSet[str]) -> frozenset[str]:
    """The parts a query selecting the fields `names` on a person needs."""
    return frozenset(part for part in PARTS if part in names)


@dataclass(frozen=True, slots=True)
class PersonBundle:
    person: PersonRecord
    household: HouseholdRecord | None = None
    mahalla: MahallaRecord | None = None


def _statement(parts: frozenset[str], match: Match) -> Select[Any]:
    columns = record_columns(PersonRecord, PERSON)
    source: Any = PERSON
    if HOUSEHOLD_PART in parts:
        columns += record_columns(HouseholdRecord, HOUSEHOLD)
        source = source.outerjoin(HOUSEHOLD, HOUSEHOLD.c.id == PERSON.c.household_id)
    if MAHALLA_PART in parts:
        columns += record_columns(MahallaRecord, MAHALLA)
        source = source.outerjoin(MAHALLA, MAHALLA.c.code == PERSON.c.mahalla_code)
    return select_labelled(columns).select_from(source).where(match([PERSON.c.pinfl]))


def fetch_person_bundle(
    connection: Connection, pinfl: str, parts: frozenset[str]
) -> PersonBundle | None:
    """The person with `pinfl` and the relations in `parts` (see PARTS); None if none."""
    unknown = parts - set(PARTS)
    if unknown:
        raise ValueError(f"A person bundle cannot carry {sorted(unknown)}.")
    stmt, params = keyed(
        connection, ("person_bundle", parts), [pinfl], lambda match: _statement(parts, match)
    )
    rows = fetch_rows(connection, stmt, params)
    if not rows:
        return None
    row = rows[0]
    person, at = record_at(row, 0, PersonRecord)
    assert person is not None  # the row is the person's
    household = mahalla = None
    if HOUSEHOLD_PART in parts:
        household, at = record_at(row, at, HouseholdRecord)
    if MAHALLA_PART in parts:
        mahalla, at = record_at(row, at, MahallaRecord)
    return PersonBundle(person, household, mahalla)


def prime(loaders: Loaders, pinfl: str, bundle: PersonBundle) -> None:
    """Put what `bundle` (the person with `pinfl`) carries into the request's loaders."""
    person = bundle.person
    loaders.person_by_pinfl.prime(pinfl, person)
    loaders.person.prime(person.id, person)
    if bundle.household is not None:
        loaders.household.prime(bundle.household.id, bundle.household)
    if bundle.mahalla is not None:
        loaders.mahalla.prime(bundle.mahalla.code, bundle.mahalla)
