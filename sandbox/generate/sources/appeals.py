"""appeals: citizens' appeals, one JSON Lines file per quarter of the base year.

An appeal is delivered in the file of the quarter it was received. A share is delivered
first with an interim status and again, in the file of a later quarter, with its outcome.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import orjson

from sandbox.generate.context import WorldContext
from sandbox.generate.corruption import (
    BAD_DATE,
    BROKEN_LINE,
    MISSING_REQUIRED,
    UNKNOWN_ENUM,
    Corrupter,
    cut_line,
)
from sandbox.generate.mention_noise import MentionNoise
from sandbox.generate.name_forms import appeal_name

SOURCE = "appeals"
QUARTERS = 4
CHANNELS = ("virtual_reception", "people_reception", "hotline", "assistant")
TOPICS = ("electricity", "gas", "water", "roads", "employment", "housing", "land", "medical",
          "education", "social_aid", "other")  # fmt: skip
_TOPIC_WEIGHTS = (22, 18, 8, 6, 12, 9, 7, 6, 5, 5, 2)
ADDRESSEES = ("district_khokimiyat", "regional_khokimiyat", "electricity_company", "gas_company",
              "employment_centre", "mahalla_assistant")  # fmt: skip
_RECEIVED_SPAN = (365 - 50) * 86400
"""Appeals are received in the first 315 days of the year (seconds from its start), so that
even one resolved 30 days later is resolved within the year."""


class _Clock:
    """Seconds from the start of the base year: timestamps and quarters."""

    def __init__(self, ctx: WorldContext) -> None:
        self.year_start = ctx.dates.year_start
        self.quarter_starts = tuple(
            int((ctx.dates.day(month, 1).astype("datetime64[s]") - self.year_start).astype(int))
            for month in (1, 4, 7, 10)
        )

    def timestamp(self, seconds: int) -> str:
        return f"{self.year_start + np.timedelta64(seconds, 's')}+05:00"

    def quarter(self, seconds: int) -> int:
        return sum(1 for start in self.quarter_starts[1:] if seconds >= start)


def write_appeals(ctx: WorldContext) -> None:
    rng = ctx.rng("appeals:values")
    noise = MentionNoise(ctx, SOURCE)
    clock = _Clock(ctx)
    year = ctx.dates.base_year
    adults = np.flatnonzero(ctx.people.age >= 18)
    draw = ctx.nrng("appeals:plan").random(len(adults))
    applicants = np.concatenate([adults[draw < 0.08], adults[draw < 0.016]])
    applicants.sort(kind="stable")
    deliveries: list[list[dict[str, Any]]] = [[] for _ in range(QUARTERS)]
    for number, person in enumerate(applicants.tolist(), start=1):
        appeal_id = f"AP-{year}-{number:07d}"
        household = int(ctx.people.household[person])
        code = ctx.mahalla_code_of(person)
        ctx.ledger.record(SOURCE, appeal_id, "person", person, household, code)
        received = rng.randrange(0, _RECEIVED_SPAN) // 60 * 60
        outcome = rng.choices(("resolved", "rejected", "in_progress", "received"), (70, 10, 12, 8))
        final = _appeal(ctx, appeal_id, person, code, received, outcome[0], rng, noise, clock)
        quarter = clock.quarter(received)
        redelivered = rng.random() < ctx.noise.appeal_redelivery
        if final["resolved_at"] and quarter + 1 < QUARTERS and redelivered:
            # Resolved in a later quarter, so the outcome arrives in a later file.
            deliveries[quarter].append(dict(final, status="in_progress", resolved_at=None))
            later = rng.randrange(quarter + 1, QUARTERS)
            resolved = clock.quarter_starts[later] + rng.randrange(0, 20 * 86400) // 60 * 60
            final["resolved_at"] = clock.timestamp(resolved)
            deliveries[later].append(final)
        else:
            deliveries[quarter].append(final)
    corrupter = Corrupter(ctx, SOURCE, (BROKEN_LINE, BAD_DATE, UNKNOWN_ENUM, MISSING_REQUIRED))
    for quarter, records in enumerate(deliveries):
        relative = f"appeals/appeals_{year}-Q{quarter + 1}.jsonl"
        path = ctx.delivery_path(SOURCE, relative)
        with path.open("wb") as f:
            for row_no, record in enumerate(records, start=1):
                line = orjson.dumps(record)
                kind = corrupter.pick()
                if kind is not None:
                    line, detail = _corrupt(record, kind, corrupter.rng)
                    corrupter.file(relative, row_no, record["appeal_id"], kind, detail)
                f.write(line + b"\n")
                ctx.ledger.delivered(SOURCE)


def _appeal(
    ctx: WorldContext, appeal_id: str, person: int, code: str, received: int, status: str,
    rng: random.Random, noise: MentionNoise, clock: _Clock,
) -> dict[str, Any]:  # fmt: skip
    anonymous = rng.random() < 0.05
    applicant = {
        "pinfl": None if anonymous else noise.pinfl(person),
        "full_name": None
        if anonymous
        else appeal_name(ctx.people.true_name(person), rng, ctx.noise),
        "phone": None if anonymous else noise.optional(ctx.phone_of(person)),
    }
    closed = status in ("resolved", "rejected")
    return {
        "appeal_id": appeal_id,
        "received_at": clock.timestamp(received),
        "channel": rng.choice(CHANNELS),
        "mahalla_code": code,
        "applicant": applicant,
        "topic": rng.choices(TOPICS, _TOPIC_WEIGHTS)[0],
        "addressed_to": rng.choice(ADDRESSEES),
        "status": status,
        "resolved_at": (
            clock.timestamp(received + rng.randrange(86400, 30 * 86400)) if closed else None
        ),
    }


def _corrupt(record: dict[str, Any], kind: str, rng: random.Random) -> tuple[bytes, str]:
    if kind == BROKEN_LINE:
        return cut_line(orjson.dumps(record), rng)
    damaged = dict(record)
    if kind == BAD_DATE:
        damaged["received_at"] = damaged["received_at"][:8] + "32" + damaged["received_at"][10:]
        detail = f"received_at={damaged['received_at']}"
    elif kind == UNKNOWN_ENUM:
        damaged["channel"] = "telegram"
        detail = "channel=telegram"
    else:
        field = rng.choice(("appeal_id", "received_at", "status"))
        del damaged[field]
        detail = f"{field} missing"
    return orjson.dumps(damaged), detail
