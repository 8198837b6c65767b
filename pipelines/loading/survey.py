"""The household survey: households, their members as persons, membership, notebooks.

A later survey of the same `survey_id` replaces the household's member list as a whole:
the `linked_persons` step retires the records of members no longer listed, so no person is
left behind by a changed household.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Table, delete

from hub.graph.bulk import in_chunks
from hub.graph.frame_upserts import upsert_frame
from hub.graph.models import Household, HouseholdMember, NotebookEntry, Person
from hub.graph.scratch import update_from
from hub.identity.golden_ids import household_hub_id
from pipelines.loading.context import LoadContext
from pipelines.loading.display import display_text
from pipelines.loading.people import upsert_source_records, with_persons

_PERSONS: Table = Person.__table__  # type: ignore[assignment]


def load_survey(ctx: LoadContext, households: pl.DataFrame, members: pl.DataFrame) -> None:
    if households.is_empty():
        return
    house_ids = _upsert_households(ctx, households)
    members = members.join(house_ids, on="survey_id", how="inner")
    # A person the survey founds is inserted with its occupation, not updated after.
    linked = with_persons(
        ctx,
        members,
        households=house_ids["survey_id"].to_list(),
        person_facts=members.select("record_key", "occupation"),
    )
    _replace_members(ctx, house_ids["household_id"].to_list(), linked)
    _set_occupations(ctx, linked)
    _upsert_notebooks(ctx, linked)
    upsert_source_records(ctx, households.join(house_ids, on="survey_id"), "household")


def _set_occupations(ctx: LoadContext, linked: pl.DataFrame) -> None:
    """A person's occupation is what their latest survey says."""
    rows = (
        linked.filter(pl.col("person_id").is_not_null())
        .unique("person_id", keep="last", maintain_order=True)
        .select(pl.col("person_id").alias("id"), "occupation")
    )
    # One UPDATE ... FROM: the ORM's bulk update by primary key runs one statement a row.
    # Only persons whose occupation changes: those linking founded have theirs already.
    update_from(ctx.session, _PERSONS, rows, changed_only=True)


def _upsert_households(ctx: LoadContext, households: pl.DataFrame) -> pl.DataFrame:
    rows = households.select(
        pl.col("survey_id").map_elements(household_hub_id, return_dtype=pl.String).alias("hub_id"),
        "survey_id",
        "mahalla_code",
        "assistant_id",
        display_text("street").alias("street"),
        "house",
        "apartment",
        "surveyed_on",
        pl.col("category").cast(pl.Int16).alias("assessed_category"),
        "monthly_income_uzs",
        "plot_sotix",
        pl.col("needs").fill_null([]),
        pl.lit(ctx.delivery_id).alias("delivery_id"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    )
    written = upsert_frame(
        ctx.session, Household, rows, key=["hub_id"], returning=["survey_id", "id"]
    )
    return pl.DataFrame(
        written, schema={"survey_id": pl.String, "household_id": pl.Int64}, orient="row"
    )


def _replace_members(ctx: LoadContext, household_ids: list[int], linked: pl.DataFrame) -> None:
    for chunk in in_chunks(household_ids):
        ctx.session.execute(delete(HouseholdMember).where(HouseholdMember.household_id.in_(chunk)))
    rows = (
        linked.filter(pl.col("person_id").is_not_null())
        .select("household_id", "person_id", "member_no", "relation")
        .unique(["household_id", "person_id"], keep="last", maintain_order=True)
    )
    if not rows.is_empty():
        upsert_frame(ctx.session, HouseholdMember, rows, key=["household_id", "person_id"])


def _upsert_notebooks(ctx: LoadContext, linked: pl.DataFrame) -> None:
    rows = linked.filter(
        pl.col("notebook").is_not_null() & pl.col("person_id").is_not_null()
    ).select(
        "person_id",
        "notebook",
        pl.lit(ctx.source).alias("source"),
        "record_key",
        pl.col("surveyed_on").alias("entered_on"),
        pl.lit(ctx.delivery_id).alias("delivery_id"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    )
    if not rows.is_empty():
        upsert_frame(ctx.session, NotebookEntry, rows, key=["source", "record_key", "notebook"])
