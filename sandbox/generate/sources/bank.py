"""bank: loans and subsidies served by the fake bank API, stored as api/bank/loans.jsonl.

Borrowers follow the programmes: notebook loans and subsidies for people in the iron,
women's and youth notebooks, family-entrepreneurship loans for the self-employed and
entrepreneurs, microloans for a few other adults, subsidies for poor households' heads.
One line per loan_id (the API is a current snapshot).
"""

from __future__ import annotations

import random
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
from sandbox.generate.economy import ENTREPRENEUR, IRON, NOTEBOOKS, SELF_EMPLOYED, WOMEN, YOUTH
from sandbox.generate.mention_noise import MentionNoise
from sandbox.generate.name_forms import bank_name
from sandbox.generate.population import HEAD

SOURCE = "bank"
FILE = "api/bank/loans.jsonl"
BANK_MFOS = ("00873", "00440", "01037", "00014", "00401", "00083", "00450", "01158")
PURPOSES = ("greenhouse", "livestock", "sewing", "trade", "services", "poultry", "orchard",
            "beekeeping")  # fmt: skip
# Programme -> (kind, low, high amount in soums).
_PROGRAMMES = {
    "family_entrepreneurship": ("loan", 30_000_000, 100_000_000),
    "microloan": ("loan", 5_000_000, 30_000_000),
    "subsidy": ("subsidy", 2_000_000, 10_000_000),
    "notebook_loan": ("loan", 10_000_000, 50_000_000),
    "notebook_subsidy": ("subsidy", 2_000_000, 12_000_000),
}


def _programme_of(ctx: WorldContext, draw: np.ndarray) -> list[tuple[int, str]]:
    """(person, programme) pairs, in person order."""
    p, e = ctx.people, ctx.economy
    notebook = np.isin(e.notebook, [IRON, WOMEN, YOUTH]) & (draw < 0.25)
    business = np.isin(e.occupation, [SELF_EMPLOYED, ENTREPRENEUR]) & (draw < 0.3)
    poor_head = (p.relation == HEAD) & (e.hh_category[p.household] >= 3) & (draw < 0.05)
    micro = (p.age >= 20) & (p.age <= 60) & (draw < 0.02)
    chosen = np.select([notebook, business, poor_head, micro], [1, 2, 3, 4], 0)
    names = {2: "family_entrepreneurship", 3: "subsidy", 4: "microloan"}
    pairs: list[tuple[int, str]] = []
    for person in np.flatnonzero(chosen).tolist():
        code = int(chosen[person])
        if code == 1:
            pairs.append((person, f"{NOTEBOOKS[int(e.notebook[person])]}_notebook"))
        else:
            pairs.append((person, names[code]))
    return pairs


def write_bank(ctx: WorldContext) -> None:
    rng = ctx.rng("bank:values")
    noise = MentionNoise(ctx, SOURCE)
    corrupter = Corrupter(ctx, SOURCE, (BAD_DATE, BAD_NUMBER, UNKNOWN_ENUM, MISSING_REQUIRED))
    items = []
    counters: dict[str, int] = {}
    year = ctx.dates.base_year
    for person, programme in _programme_of(ctx, ctx.nrng("bank:plan").random(ctx.people.count)):
        mfo = rng.choice(BANK_MFOS)
        issued_on = ctx.dates.loans_issued_from + rng.randrange(0, 340)
        counters[mfo] = counters.get(mfo, 0) + 1
        loan_id = f"{mfo}-{year}-{counters[mfo]:06d}"
        items.append(_item(ctx, person, programme, loan_id, mfo, issued_on, rng, noise))
        household = int(ctx.people.household[person])
        ctx.ledger.record(SOURCE, loan_id, "person", person, household, ctx.mahalla_code_of(person))
    path = ctx.delivery_path(SOURCE, FILE)
    with path.open("wb") as f:
        for row_no, item in enumerate(items, start=1):
            kind = corrupter.pick()
            if kind is not None:
                key = item["loan_id"]
                item, detail = _corrupt(item, kind, corrupter.rng)
                corrupter.file(FILE, row_no, key, kind, detail)
            f.write(orjson.dumps(item) + b"\n")
            ctx.ledger.delivered(SOURCE)


def _item(
    ctx: WorldContext, person: int, programme: str, loan_id: str, mfo: str,
    issued_on: np.datetime64, rng: random.Random, noise: MentionNoise,
) -> dict[str, Any]:  # fmt: skip
    shape = (
        programme
        if programme in _PROGRAMMES
        else ("notebook_loan" if rng.random() < 0.7 else "notebook_subsidy")
    )
    kind, low, high = _PROGRAMMES[shape]
    amount_soums = round(rng.uniform(low, high), -5)
    birth = noise.birth_iso(person)
    status = (
        "active"
        if kind == "subsidy"
        else rng.choices(("active", "repaid", "overdue", "written_off"), (70, 15, 10, 5))[0]
    )
    return {
        "loan_id": loan_id,
        "bank_mfo": mfo,
        "kind": kind,
        "program": programme,
        "borrower": {
            "pinfl": noise.pinfl(person),
            "name": bank_name(ctx.people.true_name(person), rng),
            "birth_date": None if birth is None else f"{birth[8:10]}.{birth[5:7]}.{birth[:4]}",
            "passport": noise.optional(ctx.people.passport_text(person)),
        },
        "amount_tiyin": int(amount_soums) * 100,
        "issued_on": str(issued_on),
        "term_months": 12 if kind == "subsidy" else rng.choice((12, 24, 36, 60)),
        "status": status,
        "purpose": rng.choice(PURPOSES),
        "mahalla_code": noise.mahalla_code(person),
    }


def _corrupt(item: dict[str, Any], kind: str, rng: random.Random) -> tuple[dict[str, Any], str]:
    damaged = dict(item)
    if kind == BAD_DATE:
        damaged["issued_on"] = damaged["issued_on"][:5] + "13-01"
        return damaged, f"issued_on={damaged['issued_on']}"
    if kind == BAD_NUMBER:
        damaged["amount_tiyin"] = "3 000 000 so'm"
        return damaged, "amount_tiyin is text"
    if kind == UNKNOWN_ENUM:
        damaged["status"] = "frozen"
        return damaged, "status=frozen"
    field = rng.choice(("loan_id", "amount_tiyin"))
    del damaged[field]
    return damaged, f"{field} missing"
