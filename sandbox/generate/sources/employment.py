"""employment: monthly job-seeker files (Windows-1251, ';', CRLF, Russian header).

A record is opened in some month of the first half of the base year, usually as unemployed;
when the person's status changes (placed in a job, public works, self-employment, training)
the record reappears under the same number in a later month's file. The two oldest exports
turn ў қ ғ ҳ into '?'.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from sandbox.generate.context import WorldContext
from sandbox.generate.corruption import (
    BAD_DATE,
    BAD_NUMBER,
    BROKEN_LINE,
    MISSING_REQUIRED,
    UNKNOWN_ENUM,
    Corrupter,
)
from sandbox.generate.economy import EMPLOYED, PUBLIC_WORKS, SELF_EMPLOYED, STUDENT, UNEMPLOYED
from sandbox.generate.mention_noise import MentionNoise
from sandbox.generate.name_forms import employment_name, to_windows_1251

SOURCE = "employment"
HEADER = ("Номер записи", "ПИНФЛ", "ФИО", "Дата рождения", "Пол", "Код махалли", "Статус",
          "Дата статуса", "ИНН работодателя", "Направление")  # fmt: skip
OLD_EXPORTS = 2
UNEMPLOYED_RU, PLACED_RU, PUBLIC_WORKS_RU, SELF_EMPLOYED_RU, TRAINING_RU = (
    "безработный", "трудоустроен", "общественные работы", "самозанятый", "обучение",
)  # fmt: skip
REFERRALS = ("Ishga marhamat monomarkazi", "Kasb-hunarga o'qitish markazi",
             "Tadbirkorlik asoslari kursi")  # fmt: skip
_FINAL_STATUS = {EMPLOYED: PLACED_RU, PUBLIC_WORKS: PUBLIC_WORKS_RU,
                 SELF_EMPLOYED: SELF_EMPLOYED_RU, STUDENT: TRAINING_RU}  # fmt: skip


@dataclass
class _Record:
    key: str
    person: int
    fields: list[str]
    """ПИНФЛ, ФИО, Дата рождения, Пол, Код махалли (fixed for the record's life)."""


def _dotted(iso: str | None) -> str:
    return "" if iso is None else f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"


def write_employment(ctx: WorldContext) -> None:
    rng = ctx.rng("employment:values")
    noise = MentionNoise(ctx, SOURCE)
    occupation, age = ctx.economy.occupation, ctx.people.age
    draw = ctx.nrng("employment:plan").random(len(occupation))
    seekers = np.flatnonzero(
        ((occupation == UNEMPLOYED) & (draw < 0.7))
        | ((occupation == PUBLIC_WORKS) & (draw < 0.9))
        | ((occupation == EMPLOYED) & (age <= 40) & (draw < 0.12))
        | ((occupation == SELF_EMPLOYED) & (draw < 0.05))
        | ((occupation == STUDENT) & (age >= 18) & (age <= 25) & (draw < 0.05))
    )
    months = ctx.dates.employment_months
    rows: list[list[tuple[_Record, str, str]]] = [[] for _ in months]
    employers = 200_000_000 + ctx.nrng("employment:employers").choice(
        100_000_000, max(10, len(seekers) // 20), replace=False
    )
    opened = [rng.randrange(len(months)) for _ in range(len(seekers))]
    order = sorted(range(len(seekers)), key=lambda i: (opened[i], i))
    for number, i in enumerate(order, start=1):
        person = int(seekers[i])
        record = _open_record(ctx, f"E{ctx.dates.base_year}-{number:07d}", person, rng, noise)
        first = TRAINING_RU if occupation[person] == STUDENT else UNEMPLOYED_RU
        final = _FINAL_STATUS.get(int(occupation[person]), UNEMPLOYED_RU)
        if final == UNEMPLOYED_RU and rng.random() < 0.2:
            final = TRAINING_RU
        rows[opened[i]].append((record, first, ""))
        if final != first and opened[i] + 1 < len(months):
            employer = str(rng.choice(employers)) if final == PLACED_RU else ""
            rows[rng.randrange(opened[i] + 1, len(months))].append((record, final, employer))
    corrupter = Corrupter(
        ctx, SOURCE, (BROKEN_LINE, BAD_DATE, BAD_NUMBER, UNKNOWN_ENUM, MISSING_REQUIRED)
    )
    for index, month in enumerate(months):
        _write_month(ctx, index, month, rows[index], rng, corrupter)


def _open_record(
    ctx: WorldContext, key: str, person: int, rng: random.Random, noise: MentionNoise
) -> _Record:
    household = int(ctx.people.household[person])
    ctx.ledger.record(SOURCE, key, "person", person, household, ctx.mahalla_code_of(person))
    fields = [
        noise.pinfl(person) or "",
        employment_name(ctx.people.true_name(person), rng, ctx.noise),
        # The contract has no empty Дата рождения: noise may blank ПИНФЛ and Код махалли only.
        _dotted(noise.birth_iso(person, allow_missing=False)),
        "Ж" if ctx.people.female[person] else "М",
        noise.mahalla_code(person) or "",
    ]
    return _Record(key, person, fields)


def _write_month(
    ctx: WorldContext,
    index: int,
    month: date,
    rows: list[tuple[_Record, str, str]],
    rng: random.Random,
    corrupter: Corrupter,
) -> None:
    relative = f"employment/employment_{month:%Y-%m}.csv"
    path = ctx.delivery_path(SOURCE, relative)
    old_export = index < OLD_EXPORTS
    with path.open("w", encoding="cp1251", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for row_no, (record, status, employer) in enumerate(rows, start=1):
            pinfl, name, birth, sex, mahalla = record.fields
            referral = ""
            if status == TRAINING_RU or (status == UNEMPLOYED_RU and rng.random() < 0.1):
                referral = rng.choice(REFERRALS)
            status_on = (month + timedelta(days=rng.randrange(0, 28))).strftime("%d.%m.%Y")
            row = [
                record.key, pinfl, to_windows_1251(name, old_export=old_export), birth, sex,
                mahalla, status, status_on, employer, referral,
            ]  # fmt: skip
            kind = corrupter.pick()
            if kind is not None:
                row, detail = _corrupt(row, kind)
                corrupter.file(relative, row_no, record.key, kind, detail)
            writer.writerow(row)
            ctx.ledger.delivered(SOURCE)


def _corrupt(row: list[str], kind: str) -> tuple[list[str], str]:
    damaged = list(row)
    if kind == BROKEN_LINE:
        return damaged[:6], "row cut after Код махалли"
    if kind == BAD_DATE:
        damaged[7] = "31.02." + damaged[7][6:]
        return damaged, f"Дата статуса={damaged[7]}"
    if kind == BAD_NUMBER:
        damaged[6], damaged[8] = PLACED_RU, "20765A321"
        return damaged, "ИНН работодателя=20765A321"
    if kind == UNKNOWN_ENUM:
        damaged[6] = "уволен"
        return damaged, "Статус=уволен"
    damaged[6] = ""
    return damaged, "Статус empty"
