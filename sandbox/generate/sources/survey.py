"""survey: the assistants' household diagnostics (JSON Lines, one household per line).

Households are surveyed between January and March of the base year (one file per month),
each by the assistant in office that day (never before the mahalla's first appointment); a
share is surveyed again in September (survey_YYYY-09.jsonl) under the same survey_id with
changed income, category and needs, and the names typed anew.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import orjson

from sandbox.generate.assistants import current_assistant, first_appointed_on
from sandbox.generate.context import WorldContext
from sandbox.generate.corruption import (
    BAD_DATE,
    BAD_NUMBER,
    BROKEN_LINE,
    MISSING_REQUIRED,
    UNKNOWN_ENUM,
    Corrupter,
    cut_line,
)
from sandbox.generate.economy import NEEDS, NOTEBOOKS, OCCUPATIONS
from sandbox.generate.mention_noise import MentionNoise
from sandbox.generate.name_forms import APOSTROPHES, survey_name
from sandbox.generate.name_lists import STREETS
from sandbox.generate.population import RELATIONS

SOURCE = "survey"
COVERAGE = 0.97


def survey_id(ctx: WorldContext, household: int) -> str:
    mahalla = ctx.territory.mahallas[int(ctx.people.hh_mahalla[household])]
    return f"SV-{mahalla.code}-{int(ctx.people.hh_number[household]):05d}"


def write_survey(ctx: WorldContext) -> None:
    n_households = len(ctx.people.hh_size)
    rng = ctx.nrng("survey:plan")
    surveyed = np.flatnonzero(rng.random(n_households) < COVERAGE)
    # An assistant surveys: no household before its mahalla's first assistant took office.
    first_on = first_appointed_on(ctx.appointments, len(ctx.territory.mahallas))
    surveyed_on = np.maximum(
        ctx.dates.survey_from + rng.integers(0, 80, len(surveyed)),
        first_on[ctx.people.hh_mahalla[surveyed]],
    )
    resurveyed = surveyed[rng.random(len(surveyed)) < ctx.noise.resurvey]
    resurveyed_on = ctx.dates.resurvey_from + rng.integers(0, 30, len(resurveyed))
    writer = _SurveyWriter(ctx)
    months = surveyed_on.astype("datetime64[M]")
    for month in np.unique(months):
        in_month = months == month
        writer.write_file(f"survey/survey_{month}.jsonl", surveyed[in_month], surveyed_on[in_month])
    resurvey_month = ctx.dates.resurvey_from.astype("datetime64[M]")
    writer.write_file(
        f"survey/survey_{resurvey_month}.jsonl", resurveyed, resurveyed_on, again=True
    )


class _SurveyWriter:
    def __init__(self, ctx: WorldContext) -> None:
        self.ctx = ctx
        self.noise = MentionNoise(ctx, SOURCE)
        self.rng: random.Random = ctx.rng("survey:values")
        self.corrupter = Corrupter(
            ctx, SOURCE, (BROKEN_LINE, BAD_DATE, BAD_NUMBER, UNKNOWN_ENUM, MISSING_REQUIRED)
        )
        self.by_mahalla: dict[int, list[int]] = {}
        for index, appointment in enumerate(ctx.appointments):
            self.by_mahalla.setdefault(appointment.mahalla, []).append(index)
        p, e = ctx.people, ctx.economy
        self.relation = [RELATIONS[r] for r in p.relation.tolist()]
        self.occupation = [OCCUPATIONS[o] for o in e.occupation.tolist()]
        self.notebook = [NOTEBOOKS[n] for n in e.notebook.tolist()]
        self.sex = ["F" if f else "M" for f in p.female.tolist()]

    def write_file(
        self, relative: str, households: np.ndarray, dates: np.ndarray, *, again: bool = False
    ) -> None:
        path = self.ctx.delivery_path(SOURCE, relative)
        with path.open("wb") as f:
            for row_no, (household, on) in enumerate(
                zip(households.tolist(), dates.tolist(), strict=True), start=1
            ):
                record = self._household(household, np.datetime64(on), again=again)
                line = orjson.dumps(record)
                kind = self.corrupter.pick()
                if kind is not None:
                    line, detail = _corrupt(record, kind, self.corrupter.rng)
                    self.corrupter.file(relative, row_no, record["survey_id"], kind, detail)
                f.write(line + b"\n")
                self.ctx.ledger.delivered(SOURCE)

    def _household(self, household: int, on: np.datetime64, *, again: bool) -> dict[str, Any]:
        ctx, e, rng = self.ctx, self.ctx.economy, self.rng
        sid = survey_id(ctx, household)
        mahalla = int(ctx.people.hh_mahalla[household])
        code = ctx.mahalla_codes[mahalla]
        assistant = current_assistant(ctx.appointments, self.by_mahalla, mahalla, on)
        if assistant is None:
            # The contract gives assistant_id no null; write_survey's dates rule this out.
            raise RuntimeError(f"Household {sid} is surveyed on {on} with no assistant in office.")
        income = int(e.hh_income[household])
        category = int(e.hh_assessed[household])
        needs = e.needs_of(household)
        if again:
            income = int(round(income * rng.uniform(0.7, 1.4), -3))
            category = min(4, max(1, category + rng.choice((-1, 0, 0, 1))))
            needs = [n for n in NEEDS if (n in needs) != (rng.random() < 0.15)]
        else:
            ctx.ledger.record(SOURCE, sid, "household", None, household, code)
        plot = float(e.hh_plot_sotix[household])
        apartment = int(e.hh_apartment[household])
        street = STREETS[int(e.hh_street[household])] + " koʻchasi"
        return {
            "survey_id": sid,
            "mahalla_code": code,
            "assistant_id": assistant.assistant_id,
            "surveyed_on": str(on),
            "address": {
                "street": street.replace("ʻ", rng.choice(APOSTROPHES)),
                "house": str(int(e.hh_house[household])),
                "apartment": str(apartment) if apartment else None,
            },
            "category": category if rng.random() >= ctx.noise.optional_missing else None,
            "monthly_income_uzs": self.noise.optional(income),
            "plot_sotix": None if np.isnan(plot) else plot,
            "needs": needs,
            "members": self._members(household, sid, code, again=again),
        }

    def _members(self, household: int, sid: str, code: str, *, again: bool) -> list[dict[str, Any]]:
        ctx = self.ctx
        start = int(ctx.people.hh_start[household])
        members = []
        for member_no, person in enumerate(
            range(start, start + int(ctx.people.hh_size[household])), start=1
        ):
            if not again:
                ctx.ledger.record(SOURCE, f"{sid}/{member_no}", "person", person, household, code)
            members.append(
                {
                    "member_no": member_no,
                    "full_name": survey_name(ctx.people.true_name(person), self.rng, ctx.noise),
                    "pinfl": self.noise.pinfl(person),
                    "birth_date": self.noise.birth_iso(person),
                    "sex": self.sex[person],
                    "relation": self.relation[person],
                    "occupation": self.occupation[person],
                    "notebook": self.notebook[person],
                }
            )
        return members


def _corrupt(record: dict[str, Any], kind: str, rng: random.Random) -> tuple[bytes, str]:
    if kind == BROKEN_LINE:
        return cut_line(orjson.dumps(record), rng)
    damaged = dict(record)
    if kind == BAD_DATE:
        damaged["surveyed_on"] = damaged["surveyed_on"][:5] + "02-30"
        detail = f"surveyed_on={damaged['surveyed_on']}"
    elif kind == BAD_NUMBER:
        damaged["monthly_income_uzs"] = "2 400 000 soʻm"
        detail = "monthly_income_uzs is text"
    elif kind == UNKNOWN_ENUM:
        damaged["category"] = 7
        detail = "category=7"
    else:
        field = rng.choice(("survey_id", "mahalla_code", "members"))
        del damaged[field]
        detail = f"{field} missing"
    return orjson.dumps(damaged), detail
