"""Golden persons, source records and conflicts from a frame of linked mentions."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import select

from hub.graph.bulk import in_chunks, upsert_rows
from hub.graph.models import Person, PersonConflict, SourceRecord
from hub.identity.linking import SOURCE_RANK, link_mentions
from pipelines.loading.context import LoadContext

PERSON_UPDATE = (
    "full_name",
    "name_key",
    "surname_key",
    "birth_on",
    "sex",
    "mahalla_code",
    "attributes_source",
    "attributes_rank",
    "updated_at",
    "last_confirmed_at",
)
SURVEY_UPDATE = (*PERSON_UPDATE, "household_id", "occupation")
COMPARED = ("birth_on", "sex")


def link_and_upsert_persons(
    ctx: LoadContext,
    mentions: pl.DataFrame,
    *,
    found_persons: bool,
    survey_columns: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Link `mentions` and write their persons; returns mentions with `person_id` set.

    `survey_columns` (record_key, household_id, occupation) is given by the survey only: it
    is the one source that places a person in a household.
    """
    linked = link_mentions(ctx.session, ctx.source, mentions, found_persons=found_persons)
    to_write = linked.filter(pl.col("hub_id").is_not_null())
    if survey_columns is not None:
        to_write = to_write.join(survey_columns, on="record_key", how="left")
    if not to_write.is_empty():
        ids = _upsert_persons(ctx, to_write, survey=survey_columns is not None)
        linked = linked.drop("person_id").join(ids, on="hub_id", how="left")
        _record_conflicts(ctx, linked)
    return linked


def _upsert_persons(ctx: LoadContext, linked: pl.DataFrame, *, survey: bool) -> pl.DataFrame:
    rank = SOURCE_RANK[ctx.source]
    known = pl.Series(sorted(ctx.known_mahallas), dtype=pl.String)
    columns = [
        pl.col("hub_id"),
        pl.when(pl.col("match_method") == "pinfl_exact").then(pl.col("pinfl")).alias("pinfl"),
        pl.coalesce("latin_name", "full_name", pl.lit("")).alias("full_name"),
        pl.col("name_key").fill_null(""),
        pl.col("surname_key"),
        pl.col("birth_on"),
        pl.col("sex"),
        pl.when(pl.col("mahalla_code").is_in(known.implode())).then(pl.col("mahalla_code")),
        pl.lit(ctx.source).alias("attributes_source"),
        pl.lit(rank).alias("attributes_rank"),
        pl.lit(ctx.now).alias("updated_at"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    ]
    if survey:
        columns += [pl.col("household_id"), pl.col("occupation")]
    rows = linked.select(columns).unique(subset="hub_id", keep="last", maintain_order=True)
    written = upsert_rows(
        ctx.session,
        Person,
        rows.to_dicts(),
        key=["hub_id"],
        update=SURVEY_UPDATE if survey else PERSON_UPDATE,
        where="person.attributes_rank <= excluded.attributes_rank",
        returning=["hub_id", "id"],
    )
    return pl.DataFrame(written, schema={"hub_id": pl.String, "person_id": pl.Int64}, orient="row")


def _record_conflicts(ctx: LoadContext, linked: pl.DataFrame) -> None:
    """Note where a mention disagrees with the value that survived on its person."""
    person_ids = linked["person_id"].drop_nulls().unique().to_list()
    surviving: list[tuple[Any, ...]] = []
    for chunk in in_chunks(person_ids):
        stmt = select(Person.id, Person.birth_on, Person.sex).where(Person.id.in_(chunk))
        surviving.extend(tuple(row) for row in ctx.session.execute(stmt))
    if not surviving:
        return
    current = pl.DataFrame(
        surviving,
        schema={"person_id": pl.Int64, "_birth_on": pl.Date, "_sex": pl.String},
        orient="row",
    )
    compared = linked.join(current, on="person_id", how="inner")
    rows: list[dict[str, Any]] = []
    for attribute in COMPARED:
        differs = compared.filter(
            pl.col(attribute).is_not_null()
            & pl.col(f"_{attribute}").is_not_null()
            & (pl.col(attribute) != pl.col(f"_{attribute}"))
        )
        for record_key, person_id, value, kept in differs.select(
            "record_key", "person_id", attribute, f"_{attribute}"
        ).iter_rows():
            rows.append(
                {
                    "person_id": person_id,
                    "attribute": attribute,
                    "value": str(value),
                    "surviving_value": str(kept),
                    "source": ctx.source,
                    "record_key": record_key,
                    "detected_at": ctx.now,
                }
            )
    if rows:
        upsert_rows(
            ctx.session,
            PersonConflict,
            rows,
            key=["person_id", "attribute", "source", "record_key"],
        )


def upsert_source_records(
    ctx: LoadContext, frame: pl.DataFrame, kind: str, *, person: bool = True
) -> None:
    """One SourceRecord per staged row: provenance, the mention's attributes, its link."""
    if frame.is_empty():
        return
    mention = [
        pl.col(c) if c in frame.columns else pl.lit(None, dtype=dtype).alias(c)
        for c, dtype in (
            ("person_id", pl.Int64),
            ("household_id", pl.Int64),
            ("pinfl", pl.String),
            ("pinfl_issue", pl.String),
            ("full_name", pl.String),
            ("name_key", pl.String),
            ("surname_key", pl.String),
            ("birth_on", pl.Date),
            ("sex", pl.String),
            ("mahalla_code", pl.String),
            ("match_method", pl.String),
        )
    ]
    rows = frame.select(
        pl.lit(ctx.source).alias("source"),
        pl.col("record_key"),
        pl.lit(kind).alias("kind"),
        *mention,
        pl.lit(ctx.delivery_id).alias("first_delivery_id"),
        pl.lit(ctx.delivery_id).alias("last_delivery_id"),
        pl.lit(ctx.now).alias("first_seen_at"),
        pl.lit(ctx.now).alias("last_seen_at"),
    )
    if not person:
        rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("match_method"))
    update = [
        c
        for c in rows.columns
        if c not in ("source", "record_key", "first_delivery_id", "first_seen_at")
    ]
    upsert_rows(
        ctx.session, SourceRecord, rows.to_dicts(), key=["source", "record_key"], update=update
    )
