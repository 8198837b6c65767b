"""registry: mahallas.csv and assistants.csv (UTF-8, comma, header row, full snapshot).

Only assistants.csv carries corrupt rows: a corrupt mahalla row would orphan everything in
that mahalla, which is a different test than a bad row.
"""

from __future__ import annotations

import csv

import numpy as np

from sandbox.generate.context import WorldContext
from sandbox.generate.corruption import BAD_DATE, BROKEN_LINE, MISSING_REQUIRED, Corrupter
from sandbox.generate.name_forms import assistant_name

SOURCE = "registry"
MAHALLAS_HEADER = (
    "region_soato", "region_name", "district_soato", "district_name", "mahalla_code",
    "mahalla_name", "mahalla_stir",
)  # fmt: skip
ASSISTANTS_HEADER = ("assistant_id", "full_name", "phone", "mahalla_code", "appointed_on")


def write_registry(ctx: WorldContext) -> None:
    _write_mahallas(ctx)
    _write_assistants(ctx)


def _write_mahallas(ctx: WorldContext) -> None:
    path = ctx.delivery_path(SOURCE, "registry/mahallas.csv")
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(MAHALLAS_HEADER)
        for mahalla in ctx.territory.mahallas:
            district = mahalla.district
            writer.writerow(
                (
                    district.region_soato, district.region_name, district.soato, district.name,
                    mahalla.code, mahalla.name, mahalla.stir,
                )
            )  # fmt: skip
            ctx.ledger.record(SOURCE, mahalla.code, "mahalla", None, None, mahalla.code)
            ctx.ledger.delivered(SOURCE)


def _write_assistants(ctx: WorldContext) -> None:
    relative = "registry/assistants.csv"
    path = ctx.delivery_path(SOURCE, relative)
    corrupter = Corrupter(ctx, SOURCE, (BROKEN_LINE, BAD_DATE, MISSING_REQUIRED))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(ASSISTANTS_HEADER)
        for row_no, appointment in enumerate(ctx.appointments, start=1):
            person = appointment.person
            code = ctx.mahalla_codes[appointment.mahalla]
            row = [
                appointment.assistant_id,
                assistant_name(ctx.people.true_name(person)),
                ctx.phone_of(person),
                code,
                str(appointment.appointed_on),
            ]
            kind = corrupter.pick()
            if kind is not None:
                row, detail = _corrupt(row, kind)
                corrupter.file(relative, row_no, appointment.assistant_id, kind, detail)
            writer.writerow(row)
            household = int(ctx.people.household[person])
            ctx.ledger.record(SOURCE, appointment.assistant_id, "person", person, household, code)
            ctx.ledger.delivered(SOURCE)


def _corrupt(row: list[str], kind: str) -> tuple[list[str], str]:
    if kind == BROKEN_LINE:
        return row[:3], "row cut after the phone column"
    if kind == BAD_DATE:
        day = np.datetime64(row[4])
        bad = f"{str(day)[:4]}-02-30"
        return [*row[:4], bad], f"appointed_on={bad}"
    return [row[0], row[1], row[2], "", row[4]], "mahalla_code empty"
