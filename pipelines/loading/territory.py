"""The mahalla register: regions, districts, mahallas, and assistants (latest is current)."""

from __future__ import annotations

import polars as pl
from sqlalchemy import update

from hub.graph.bulk import in_chunks, upsert_rows
from hub.graph.models import Assistant, District, Mahalla, Region
from hub.identity import REGIONS_BY_SOATO
from hub.identity.names.display import display_apostrophes
from pipelines.loading.context import LoadContext
from pipelines.loading.display import display_person_name, display_text
from pipelines.loading.people import upsert_source_records


def load_mahallas(ctx: LoadContext, staged: pl.DataFrame) -> None:
    if staged.is_empty():
        return
    regions = staged.select("region_soato", "region_name").unique("region_soato", keep="last")
    region_rows = []
    for code, name in regions.iter_rows():
        known = REGIONS_BY_SOATO.get(code)
        region_rows.append(
            {
                "code": code,
                "name": display_apostrophes(name) if name else name,
                "name_ru": known.name_ru if known else None,
                "iso_code": known.iso if known else None,
            }
        )
    upsert_rows(ctx.session, Region, region_rows, key=["code"])
    districts = staged.select(
        pl.col("district_soato").alias("code"),
        pl.col("region_soato").alias("region_code"),
        display_text("district_name").alias("name"),
    ).unique("code", keep="last", maintain_order=True)
    upsert_rows(ctx.session, District, districts.to_dicts(), key=["code"])
    mahallas = staged.select(
        pl.col("mahalla_code").alias("code"),
        pl.col("district_soato").alias("district_code"),
        display_text("mahalla_name").alias("name"),
        pl.col("mahalla_stir").alias("stir"),
        pl.lit(ctx.delivery_id).alias("delivery_id"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    )
    upsert_rows(ctx.session, Mahalla, mahallas.to_dicts(), key=["code"])
    upsert_source_records(ctx, staged, "mahalla")


def load_assistants(ctx: LoadContext, staged: pl.DataFrame) -> None:
    if staged.is_empty():
        return
    rows = staged.select(
        pl.col("assistant_id").alias("id"),
        display_person_name("full_name").alias("full_name"),
        "phone",
        "mahalla_code",
        "appointed_on",
        pl.lit(ctx.delivery_id).alias("delivery_id"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    )
    upsert_rows(ctx.session, Assistant, rows.to_dicts(), key=["id"])
    mark_current_assistants(ctx, staged["mahalla_code"].unique().to_list())
    upsert_source_records(ctx, staged, "assistant")


def mark_current_assistants(ctx: LoadContext, mahalla_codes: list[str]) -> None:
    """The latest appointment per mahalla is current (ties: the larger assistant id)."""
    session = ctx.session
    for chunk in in_chunks(mahalla_codes):
        session.execute(
            update(Assistant).where(Assistant.mahalla_code.in_(chunk)).values(is_current=False)
        )
        latest = (
            pl.DataFrame(
                session.execute(
                    Assistant.__table__.select()
                    .with_only_columns(Assistant.id, Assistant.mahalla_code, Assistant.appointed_on)
                    .where(Assistant.mahalla_code.in_(chunk))
                ).all(),
                schema={"id": pl.String, "mahalla_code": pl.String, "appointed_on": pl.Date},
                orient="row",
            )
            .sort(["appointed_on", "id"])
            .unique("mahalla_code", keep="last")
        )
        current = latest["id"].to_list()
        if current:
            session.execute(
                update(Assistant).where(Assistant.id.in_(current)).values(is_current=True)
            )
