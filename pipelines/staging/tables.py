"""Staging of each source: landed frames in, staged frames (STAGED_SCHEMAS) and rejects out.

Every function keeps the last row per record key (the later line of a delivery wins;
the register instead rejects a key repeated with other values, `staging.duplicates`),
derives the mention columns where the table names a person, and applies the table's row
rules, the plausible ranges of its dates (`staging.plausible_dates`) and the limits of the
graph's columns its values go to (`staging.column_limits`). `StagingContext` carries what
rules compare against: the mahalla register, today and the date ranges in force.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from pipelines.quality.suites import MAHALLA_CODE, TIN
from pipelines.staging import rules as r
from pipelines.staging.column_limits import limit_rules, round_to_scales
from pipelines.staging.duplicates import count_duplicates, split_conflicting_duplicates
from pipelines.staging.mentions import add_mention_columns
from pipelines.staging.plausible_dates import PlausibleDates
from pipelines.staging.schemas import STAGED_SCHEMAS


@dataclass(frozen=True)
class StagingContext:
    known_mahallas: pl.Series
    today: date
    delivery_id: int
    delivery_name: str
    dates: PlausibleDates = field(default_factory=PlausibleDates)


@dataclass(frozen=True)
class StagedTable:
    """`duplicates`: rows of the landed table that repeated an earlier row's record key."""

    table: str
    frame: pl.DataFrame
    rejects: pl.DataFrame
    duplicates: int = 0


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


def _date_rules(table: str, ctx: StagingContext, columns: list[str]) -> list[r.RowRule]:
    return [
        r.within_dates(column, found.earliest.on(ctx.today), found.latest.on(ctx.today), str(found))
        for column, found in ctx.dates.of(table).items()
        if column in columns
    ]


def _stage(
    table: str,
    landed: pl.DataFrame,
    ctx: StagingContext,
    rules: Callable[[StagingContext], list[r.RowRule]],
    prepare: Callable[[pl.DataFrame], pl.DataFrame] = lambda f: f,
    unique_key: str | None = None,
) -> StagedTable:
    """`unique_key`: the key's name where a key repeated with other values is a reject."""
    if landed.is_empty():
        return StagedTable(
            table, _conform(table, landed.clear()), pl.DataFrame(schema=r.REJECT_SCHEMA)
        )
    duplicates = count_duplicates(landed)
    conflicts = pl.DataFrame(schema=r.REJECT_SCHEMA)
    if unique_key is not None:
        landed, conflicts = split_conflicting_duplicates(landed, unique_key)
    frame = prepare(_latest_per_key(landed)).with_columns(delivery_id=pl.lit(ctx.delivery_id))
    checks = rules(ctx) + _date_rules(table, ctx, frame.columns)
    kept, rejects = r.apply_rules(frame, checks + limit_rules(table, frame.schema))
    staged = _conform(table, round_to_scales(table, kept))
    return StagedTable(table, staged, pl.concat([conflicts, rejects]), duplicates)


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
        unique_key="mahalla_code",
    )


def stage_assistants(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "registry_assistants",
        landed,
        ctx,
        lambda c: [r.known_mahalla("mahalla_code", c.known_mahallas)],
        unique_key="assistant_id",
    )


def stage_survey_households(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "survey_households",
        landed,
        ctx,
        lambda c: [
            r.known_mahalla("mahalla_code", c.known_mahallas),
            r.not_negative("monthly_income_uzs"),
            r.not_negative("plot_sotix"),
        ],
    )


def stage_survey_members(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "survey_members",
        landed,
        ctx,
        lambda c: [r.known_mahalla("mahalla_code", c.known_mahallas)],
        _mention("pinfl", "full_name", "birth_date", "sex"),
    )


def stage_tax(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "tax",
        landed,
        ctx,
        lambda c: [
            r.matches("tin", TIN, "a 9-digit TIN starting with 2 or 4-7"),
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
            r.not_after("registered_on", "closed_on"),
            r.not_negative("declared_income_tiyin"),
        ],
        _mention("pinfl", "full_name", "birth_date", None),
    )


def stage_employment(landed: pl.DataFrame, ctx: StagingContext) -> StagedTable:
    return _stage(
        "employment",
        landed,
        ctx,
        lambda c: [
            r.matches("mahalla_code", MAHALLA_CODE, "10 digits"),
            r.matches("employer_tin", TIN, "a 9-digit TIN starting with 2 or 4-7"),
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
            r.positive("amount_tiyin"),
            r.positive("term_months"),
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
