"""Khokim assistants: one resident per mahalla, some replaced later in the year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.generate.dating import WorldDates
from sandbox.generate.population import People

REPLACED_SHARE = 0.12


@dataclass(frozen=True)
class Appointment:
    assistant_id: str
    person: int
    mahalla: int
    """Index into Territory.mahallas."""
    appointed_on: np.datetime64


def appoint_assistants(
    people: People, n_mahallas: int, dates: WorldDates, rng: np.random.Generator
) -> tuple[Appointment, ...]:
    """One appointment per inhabited mahalla from 1 January of the base year, a later one (from
    1 March) where replaced.

    Assistants are residents aged 25-55 of their own mahalla (any resident where none is of
    that age, so that every household has an assistant to survey it); ids follow
    (mahalla, date). A mahalla without residents gets no assistant.
    """
    person_mahalla = people.hh_mahalla[people.household]
    preferred = _pools(person_mahalla, (people.age >= 25) & (people.age <= 55), n_mahallas)
    residents = _pools(person_mahalla, np.ones(people.count, dtype=bool), n_mahallas)
    replaced = rng.random(n_mahallas) < REPLACED_SHARE
    first_on = dates.first_appointed_from + rng.integers(0, 15, n_mahallas)
    second_on = dates.replacements_from + rng.integers(0, 240, n_mahallas)
    appointments: list[Appointment] = []
    for mahalla in range(n_mahallas):
        pool = preferred[mahalla] if len(preferred[mahalla]) else residents[mahalla]
        if len(pool) == 0:
            continue
        picks = rng.choice(pool, min(len(pool), 2 if replaced[mahalla] else 1), replace=False)
        days = [first_on[mahalla], second_on[mahalla]]
        for person, appointed_on in zip(picks.tolist(), days, strict=False):
            number = len(appointments) + 1
            appointments.append(Appointment(f"A-{number:05d}", person, mahalla, appointed_on))
    return tuple(appointments)


def _pools(person_mahalla: np.ndarray, mask: np.ndarray, n_mahallas: int) -> list[np.ndarray]:
    """The people matching `mask` per mahalla (people are ordered by mahalla)."""
    chosen = np.flatnonzero(mask)
    bounds = np.searchsorted(person_mahalla[chosen], np.arange(n_mahallas + 1), side="left")
    return [chosen[bounds[m] : bounds[m + 1]] for m in range(n_mahallas)]


def first_appointed_on(appointments: tuple[Appointment, ...], n_mahallas: int) -> np.ndarray:
    """Per mahalla, the day its first assistant took office (NaT where it has none)."""
    first = np.full(n_mahallas, np.datetime64("NaT"), dtype="datetime64[D]")
    for appointment in reversed(appointments):
        first[appointment.mahalla] = appointment.appointed_on
    return first


def current_assistant(
    appointments: tuple[Appointment, ...],
    by_mahalla: dict[int, list[int]],
    mahalla: int,
    on: np.datetime64,
) -> Appointment | None:
    """The assistant in office in `mahalla` on a date (the latest appointment not after it)."""
    current: Appointment | None = None
    for index in by_mahalla.get(mahalla, []):
        appointment = appointments[index]
        if appointment.appointed_on <= on:
            current = appointment
    return current
