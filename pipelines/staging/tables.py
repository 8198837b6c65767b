"""Staging of each source: landed frames in, staged frames (STAGED_SCHEMAS) and rejects out.

Every function keeps the last row per record key (the later line of a delivery wins),
derives the mention columns where the table names a person, and applies the table's row
rules. `StagingContext` carries what rules compare against: the mahalla register and today.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from pipelines.quality.suites import MAHALLA_CODE, TIN
from pipelines.quality.thresholds import FIRST_BIRTH_ON as FIRST_BIRTH
from pipelines.staging import rules as r
from pipelines.staging.mentions import add_mention_columns
from pipelines.staging.schemas import STAGED_SCHEMAS


@dataclass(frozen=True)
class StagingContext:
    known_mahallas: pl.Series
    today: date
    delivery_id: int
    delivery_name: str


@dataclass(frozen=True)
class StagedTable:
    table: str
    frame: pl.DataFrame
    rejects: pl.DataFrame


def _conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    schema = STAGED_SCHEMAS[table]
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(dtype).alias(c)
            for c, dtype in schema.items()
        ]
    )


def _latest_per_key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.unique(subset="record_key", keep="last", maintain_order=True)


def _stage(
    table: str,
    landed: pl.DataFrame,
    ctx: StagingContext,
    rules: Callable[[StagingContext], list[r.RowRule]],
    prepare: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f,
) -> StagedTable:
    if landed.is_empty():
        return StagedTable(
            table, _conform(table, landed.clear()), pl.DataFrame(schema=r.REJECT_SCHEMA)
        )
    frame = prepare(_latest_per_key(landed)).with_columns(delivery_id=pl.lit(ctx.delivery_id))
    kept, rejects = r.apply_rules(frame, rules(ctx))
    return StagedTable(table, _conform(table, kept), rejects)


def _person_rules(ctx: StagingContext) -> list[r.RowRule]:
    today = pl.lit(ctx.today)
    return [
        r.not_in_future("birth_on", today),
        r.not_before("birth_on", pl.lit(FIRST_BIRTH), "1900-01-01"),
    ]


def _mention(
    pinfl: str, name: str, birth: str | None, sex: str | None
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda f: add_mention_columns(f, pinfl=pinfl, full_name=name, birth_on=birth, sex=sex)


def stage_mahallas(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "registry_mahallas",
        landed,
        ctx,
        lambda c: [r.matches("mahalla_code", MAHALLA_CODE, "10 digits")],
    )


def stage_assistants(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "registry_assistants",
        landed,
        ctx,
        lambda c: [
            r.known_mahalla("mahalla_code", c.known_mahallas),
            r.not_in_future("appointed_on", pl.lit(c.today)),
        ],
    )


def stage_survey_households(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "survey_households",
        landed,
        ctx,
        lambda c: [
            r.known_mahalla("mahalla_code", c.known_mahallas),
            r.not_in_future("surveyed_on", pl.lit(c.today)),
            r.not_negative("monthly_income_uzs"),
            r.not_negative("plot_sotix"),
        ],
    )


def stage_survey_members(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "survey_members",
        landed,
        ctx,
        lambda c: [*_person_rules(c), r.known_mahalla("mahalla_code", c.known_mahallas)],
        _mention("pinfl", "full_name", "birth_date", "sex"),
    )


def stage_tax(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "tax",
        landed,
        ctx,
        lambda c: [
            *_person_rules(c),
            r.matches("tin", TIN, "a 9-digit TIN starting with 2 or 4-7"),
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
            r.not_after("registered_on", "closed_on"),
            r.not_negative("declared_income_tiyin"),
            r.not_in_future("registered_on", pl.lit(c.today)),
        ],
        _mention("pinfl", "full_name", "birth_date", None),
    )


def stage_employment(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "employment",
        landed,
        ctx,
        lambda c: [
            *_person_rules(c),
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
            r.matches("employer_tin", TIN, "a 9-digit TIN starting with 2 or 4-7"),
            r.not_in_future("status_on", pl.lit(c.today)),
        ],
        lambda f: _mention("pinfl", "full_name", "birth_date", "sex")(f).with_columns(
            source_file=pl.lit(ctx.delivery_name)
        ),
    )


def _snapshot_on(name: str) -> date | None:
    found = re.search(r"(\d{4}-\d{2}-\d{2})", name)
    return date.fromisoformat(found.group(1)) if found else None


def stage_land(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    company_without_tin = (pl.col("lessee_kind") == "legal_entity") & pl.col("lessee_tin").is_null()
    return _stage(
        "land",
        landed,
        ctx,
        lambda c: [
            r.positive("area_ha"),
            r.not_after("starts_on", "ends_on"),
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
            r.RowRule(
                "legal_entity_without_tin",
                company_without_tin,
                pl.lit("Lessee kind 'legal_entity' has no tin"),
            ),
        ],
        lambda f: _mention("lessee_pinfl", "lessee_name", None, None)(f).with_columns(
            snapshot_on=pl.lit(_snapshot_on(ctx.delivery_name), dtype=pl.Date)
        ),
    )


def stage_bank(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "bank",
        landed,
        ctx,
        lambda c: [
            *_person_rules(c),
            r.positive("amount_tiyin"),
            r.positive("term_months"),
            r.not_in_future("issued_on", pl.lit(c.today)),
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
        ],
        lambda f: _mention("borrower_pinfl", "borrower_name", "borrower_birth_date", None)(
            f
        ).rename({"borrower_passport": "passport"}),
    )


def stage_appeals(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    closed = pl.col("status").is_in(["resolved", "rejected"])
    return _stage(
        "appeals",
        landed,
        ctx,
        lambda c: [
            r.not_after("received_at", "resolved_at"),
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
            r.RowRule(
                "resolved_at_while_open",
                pl.col("resolved_at").is_not_null() & ~closed,
                pl.concat_str([pl.lit("resolved_at is set while status is "), r.quoted("status")]),
            ),
        ],
        lambda f: _mention("applicant_pinfl", "applicant_full_name", None, None)(f).rename(
            {"applicant_phone": "phone"}
        ),
    )


STAGERS: dict[str, Callable[[pl.DataFrame, StagingContext], StagedTable]] = {
    "registry_mahallas": stage_mahallas,
    "registry_assistants": stage_assistants,
    "survey_households": stage_survey_households,
    "survey_members": stage_survey_members,
    "tax": stage_tax,
    "employment": stage_employment,
    "land": stage_land,
    "bank": stage_bank,
    "appeals": stage_appeals,
}
"""Staged table -> its staging function (landed tables carry the same names)."""
