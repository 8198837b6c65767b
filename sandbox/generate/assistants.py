"""Khokim assistants: one resident per mahalla, some replaced later in the year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    people: People, n_mahallas: int, rng: np.random.Generator
) -> tuple[Appointment, ...]:
    """One appointment per mahalla from 1 January 2022, and a later one where replaced.

    Assistants are residents aged 25-55 of their own mahalla; ids follow (mahalla, date).
    """
    person_mahalla = people.hh_mahalla[people.household]
    eligible = np.flatnonzero((people.age >= 25) & (people.age <= 55))
    eligible_mahalla = person_mahalla[eligible]
    starts = np.searchsorted(eligible_mahalla, np.arange(n_mahallas), side="left")
    ends = np.searchsorted(eligible_mahalla, np.arange(n_mahallas), side="right")
    replaced = rng.random(n_mahallas) < REPLACED_SHARE
    first_on = np.datetime64("2022-01-01") + rng.integers(0, 15, n_mahallas)
    second_on = np.datetime64("2022-03-01") + rng.integers(0, 240, n_mahallas)
    appointments: list[Appointment] = []
    for mahalla in range(n_mahallas):
        pool = eligible[starts[mahalla] : ends[mahalla]]
        if len(pool) == 0:
            continue
        picks = rng.choice(pool, min(len(pool), 2 if replaced[mahalla] else 1), replace=False)
        dates = [first_on[mahalla], second_on[mahalla]]
        for person, appointed_on in zip(picks.tolist(), dates, strict=False):
            number = len(appointments) + 1
            appointments.append(Appointment(f"A-{number:05d}", person, mahalla, appointed_on))
    return tuple(appointments)


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
