"""tax: taxpayers served by the fake tax API, stored as api/tax/taxpayers.jsonl.

One line per delivered version of a taxpayer: a share of taxpayers has a second version with
a later updated_at (income revised, registration closed). The server orders lines by
(updated_at, tin); the file is in generation order.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import orjson

from sandbox.generate.context import WorldContext
from sandbox.generate.corruption import (
    BAD_DATE,
    BAD_NUMBER,
    MISSING_REQUIRED,
    UNKNOWN_ENUM,
    Corrupter,
)
from sandbox.generate.economy import EMPLOYED, ENTREPRENEUR, SELF_EMPLOYED
from sandbox.generate.mention_noise import MentionNoise
from sandbox.generate.name_forms import tax_name
from sandbox.generate.name_lists import STREETS

SOURCE = "tax"
FILE = "api/tax/taxpayers.jsonl"
ACTIVITY_CODES = ("47190", "01130", "10710", "45200", "96020", "14130", "43210", "49320",
                  "56101", "01410", "47710", "95290")  # fmt: skip


def choose_taxpayers(ctx: WorldContext) -> np.ndarray:
    """Rows of people registered for tax: the self-employed, entrepreneurs, a few others."""
    occupation = ctx.economy.occupation
    rng = ctx.nrng("tax:plan")
    draw = rng.random(len(occupation))
    chosen = (np.isin(occupation, [SELF_EMPLOYED, ENTREPRENEUR]) & (draw < 0.95)) | (
        (occupation == EMPLOYED) & (draw < 0.03)
    )
    return np.flatnonzero(chosen)


def write_tax(ctx: WorldContext) -> None:
    persons = choose_taxpayers(ctx)
    rng = ctx.rng("tax:values")
    noise = MentionNoise(ctx, SOURCE)
    corrupter = Corrupter(ctx, SOURCE, (BAD_DATE, BAD_NUMBER, UNKNOWN_ENUM, MISSING_REQUIRED))
    tins = 400_000_000 + ctx.nrng("tax:tins").choice(400_000_000, len(persons), replace=False)
    path = ctx.delivery_path(SOURCE, FILE)
    row_no = 0
    with path.open("wb") as f:
        for person, tin in zip(persons.tolist(), tins.tolist(), strict=True):
            versions = [_first_version(ctx, person, str(tin), rng, noise)]
            if rng.random() < ctx.noise.tax_update:
                versions.append(_update(versions[0], rng))
            household = int(ctx.people.household[person])
            ctx.ledger.record(
                SOURCE, str(tin), "person", person, household, ctx.mahalla_code_of(person)
            )
            for item in versions:
                row_no += 1
                kind = corrupter.pick()
                if kind is not None:
                    item, detail = _corrupt(item, kind, corrupter.rng)
                    corrupter.file(FILE, row_no, str(tin), kind, detail)
                f.write(orjson.dumps(item) + b"\n")
                ctx.ledger.delivered(SOURCE)


def _timestamp(moment: datetime) -> str:
    return f"{moment.isoformat()}+05:00"


def _first_version(
    ctx: WorldContext, person: int, tin: str, rng: random.Random, noise: MentionNoise
) -> dict[str, Any]:
    e, p = ctx.economy, ctx.people
    dates = ctx.dates
    registered = dates.tax_registered_from + timedelta(days=rng.randrange(0, 690))
    closed = registered + timedelta(days=rng.randrange(30, 300)) if rng.random() < 0.08 else None
    registered_at = datetime(registered.year, registered.month, registered.day)
    updated = max(dates.tax_updated_from, registered_at) + timedelta(
        seconds=rng.randrange(0, 300 * 86400)
    )
    household = int(p.household[person])
    mahalla = ctx.territory.mahallas[int(p.hh_mahalla[household])]
    district = mahalla.district.name.removesuffix(" tumani").replace("ʻ", "'")
    street = STREETS[int(e.hh_street[household])].replace("ʻ", "'")
    annual = int(e.income[person]) * 12
    regime = "individual_entrepreneur" if e.occupation[person] == ENTREPRENEUR else "self_employed"
    return {
        "tin": tin,
        "pinfl": noise.pinfl(person),
        "full_name": tax_name(p.true_name(person), rng, ctx.noise),
        "birth_date": noise.birth_iso(person),
        "regime": regime,
        "activity_code": rng.choice(ACTIVITY_CODES),
        "registered_on": registered.isoformat(),
        "closed_on": (
            closed.isoformat() if closed is not None and closed < dates.tax_closed_before else None
        ),
        "declared_income_uzs": f"{annual}.00",
        "tax_year": dates.base_year,
        "mahalla_code": noise.mahalla_code(person),
        "address": f"{district} t., {street} ko'ch. {int(e.hh_house[household])}",
        "updated_at": _timestamp(updated),
    }


def _update(first: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A later version: income revised, sometimes the registration closed."""
    later = dict(first)
    updated = datetime.fromisoformat(first["updated_at"][:19]) + timedelta(
        seconds=rng.randrange(3600, 60 * 86400)
    )
    later["updated_at"] = _timestamp(updated)
    income = int(first["declared_income_uzs"].split(".")[0])
    later["declared_income_uzs"] = f"{round(income * rng.uniform(0.6, 1.5), -3):.2f}"
    if later["closed_on"] is None and rng.random() < 0.3:
        later["closed_on"] = updated.date().isoformat()
    return later


def _corrupt(item: dict[str, Any], kind: str, rng: random.Random) -> tuple[dict[str, Any], str]:
    damaged = dict(item)
    if kind == BAD_DATE:
        damaged["registered_on"] = damaged["registered_on"][:5] + "02-30"
        return damaged, f"registered_on={damaged['registered_on']}"
    if kind == BAD_NUMBER:
        damaged["declared_income_uzs"] = "12,5 mln"
        return damaged, "declared_income_uzs=12,5 mln"
    if kind == UNKNOWN_ENUM:
        damaged["regime"] = "farmer"
        return damaged, "regime=farmer"
    field = rng.choice(("tin", "regime"))
    del damaged[field]
    return damaged, f"{field} missing"
