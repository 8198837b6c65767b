"""The agencies' facts: tax registrations, employment records, leases, loans, appeals.

Each loader links the table's person mentions through the `linked_persons` step (which
writes their source records), writes the facts keyed by record key with the persons found,
and records provenance. Businesses are one node per TIN, whichever source names it: a tax
registration's TIN, an employer's INN, a legal-entity lessee's TIN.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import or_, select, update

from hub.graph.frame_upserts import upsert_frame
from hub.graph.models import (
    Appeal,
    Business,
    EmploymentRecord,
    LandLease,
    Loan,
    NotebookEntry,
    Parcel,
    TaxRegistration,
)
from pipelines.loading.context import LoadContext
from pipelines.loading.people import upsert_source_records, with_persons
from pipelines.regions.codes import parcel_in_region

NOTEBOOK_PROGRAMS = {"iron_notebook": "iron", "women_notebook": "women", "youth_notebook": "youth"}


def _sourced(ctx: LoadContext) -> list[pl.Expr]:
    return [
        pl.lit(ctx.delivery_id).alias("delivery_id"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    ]


def _link(ctx: LoadContext, staged: pl.DataFrame) -> pl.DataFrame:
    return with_persons(ctx, staged)


def upsert_businesses(ctx: LoadContext, businesses: pl.DataFrame) -> pl.DataFrame:
    """Business nodes for `businesses` (tin, name: null keeps the name known); tin -> id."""
    rows = businesses.filter(pl.col("tin").is_not_null()).unique("tin", keep="last")
    if rows.is_empty():
        return pl.DataFrame(schema={"tin": pl.String, "business_id": pl.Int64})
    named = rows.filter(pl.col("name").is_not_null())
    unnamed = rows.filter(pl.col("name").is_null()).drop("name")
    written: list[tuple[object, ...]] = []
    for frame, columns in ((named, None), (unnamed, ["delivery_id", "last_confirmed_at"])):
        if not frame.is_empty():
            written += upsert_frame(
                ctx.session,
                Business,
                frame.with_columns(*_sourced(ctx)),
                key=["tin"],
                update=columns,
                returning=["tin", "id"],
            )
    return pl.DataFrame(written, schema={"tin": pl.String, "business_id": pl.Int64}, orient="row")


def load_tax(ctx: LoadContext, staged: pl.DataFrame) -> None:
    if staged.is_empty():
        return
    linked = _link(ctx, staged)
    rows = linked.select(
        "tin",
        "person_id",
        "regime",
        "activity_code",
        "registered_on",
        "closed_on",
        "declared_income_tiyin",
        "tax_year",
        "mahalla_code",
        "address",
        pl.col("updated_at").alias("source_updated_at"),
        *_sourced(ctx),
    )
    upsert_frame(
        ctx.session,
        TaxRegistration,
        rows,
        key=["tin"],
        where="tax_registration.source_updated_at <= excluded.source_updated_at",
    )
    upsert_businesses(
        ctx,
        linked.select("tin", pl.coalesce("latin_name", "full_name").alias("name"), "mahalla_code"),
    )


def load_employment(ctx: LoadContext, staged: pl.DataFrame) -> None:
    if staged.is_empty():
        return
    linked = _link(ctx, staged)
    rows = linked.select(
        "record_no",
        "person_id",
        "status",
        "status_on",
        "employer_tin",
        "referral",
        "mahalla_code",
        "source_file",
        *_sourced(ctx),
    )
    upsert_frame(
        ctx.session,
        EmploymentRecord,
        rows,
        key=["record_no"],
        where="employment_record.source_file <= excluded.source_file",
    )
    employers = linked.select(
        pl.col("employer_tin").alias("tin"),
        pl.lit(None, pl.String).alias("name"),
        pl.lit(None, pl.String).alias("mahalla_code"),
    )
    upsert_businesses(ctx, employers)


def load_land(ctx: LoadContext, staged: pl.DataFrame, *, newest: bool) -> None:
    """Load a lease snapshot; when it is the newest, leases absent from it stop being current."""
    if staged.is_empty():
        if newest:
            _retire_absent_leases(ctx)
        return
    linked = _link(ctx, staged)
    companies = linked.filter(pl.col("lessee_kind") == "legal_entity")
    business_ids = upsert_businesses(
        ctx,
        companies.select(
            pl.col("lessee_tin").alias("tin"),
            pl.col("full_name").alias("name"),
            "mahalla_code",
        ),
    ).rename({"tin": "lessee_tin"})
    upsert_source_records(ctx, companies, "business")
    parcels = linked.select(
        pl.coalesce("cadastre_no", pl.concat_str([pl.lit("lease:"), "lease_id"])).alias("cadastre"),
        "mahalla_code",
        "area_ha",
        "purpose",
        "crop",
    )
    parcel_ids = pl.DataFrame(
        upsert_frame(ctx.session, Parcel, parcels, key=["cadastre"], returning=["cadastre", "id"]),
        schema={"cadastre": pl.String, "parcel_id": pl.Int64},
        orient="row",
    )
    leases = (
        linked.with_columns(
            cadastre=pl.coalesce("cadastre_no", pl.concat_str([pl.lit("lease:"), "lease_id"]))
        )
        .join(parcel_ids, on="cadastre", how="left")
        .join(business_ids, on="lessee_tin", how="left")
        .select(
            "lease_id",
            pl.col("contract_no").alias("contract"),
            "status",
            "parcel_id",
            "person_id",
            "business_id",
            "lessee_kind",
            pl.coalesce("latin_name", "full_name").alias("lessee_name"),
            pl.col("starts_on").alias("start_on"),
            pl.col("ends_on").alias("end_on"),
            pl.lit(True).alias("is_current"),
            "snapshot_on",
            *_sourced(ctx),
        )
    )
    upsert_frame(
        ctx.session,
        LandLease,
        leases,
        key=["lease_id"],
        where="land_lease.snapshot_on <= excluded.snapshot_on",
    )
    if newest:
        _retire_absent_leases(ctx)


def _retire_absent_leases(ctx: LoadContext) -> None:
    """Every lease this (newest) snapshot did not write is no longer current; loaded by
    region (pipelines.regions), only the leases of parcels in the region loaded."""
    absent = or_(LandLease.delivery_id.is_(None), LandLease.delivery_id != ctx.delivery_id)
    stmt = update(LandLease).where(absent)
    if ctx.region is not None:
        parcels = select(Parcel.id).where(parcel_in_region(ctx.region))
        stmt = stmt.where(LandLease.parcel_id.in_(parcels))
    ctx.session.execute(stmt.values(is_current=False))


def load_bank(ctx: LoadContext, staged: pl.DataFrame) -> None:
    if staged.is_empty():
        return
    linked = _link(ctx, staged)
    rows = linked.select(
        "loan_id",
        "bank_mfo",
        "kind",
        "program",
        "person_id",
        pl.coalesce("latin_name", "full_name").alias("borrower_name"),
        "amount_tiyin",
        "issued_on",
        "term_months",
        "status",
        "purpose",
        "mahalla_code",
        *_sourced(ctx),
    )
    upsert_frame(ctx.session, Loan, rows, key=["loan_id"])
    notebooks = linked.filter(
        pl.col("program").is_in(list(NOTEBOOK_PROGRAMS)) & pl.col("person_id").is_not_null()
    ).select(
        "person_id",
        pl.col("program").replace_strict(NOTEBOOK_PROGRAMS).alias("notebook"),
        pl.lit(ctx.source).alias("source"),
        "record_key",
        pl.col("issued_on").alias("entered_on"),
        *_sourced(ctx),
    )
    if not notebooks.is_empty():
        upsert_frame(
            ctx.session,
            NotebookEntry,
            notebooks,
            key=["source", "record_key", "notebook"],
        )


def load_appeals(ctx: LoadContext, staged: pl.DataFrame) -> None:
    if staged.is_empty():
        return
    linked = _link(ctx, staged)
    rows = linked.select(
        "appeal_id",
        "person_id",
        "received_at",
        "channel",
        "mahalla_code",
        pl.coalesce("latin_name", "full_name").alias("applicant_name"),
        pl.col("phone").alias("applicant_phone"),
        "topic",
        "addressed_to",
        "status",
        "resolved_at",
        *_sourced(ctx),
    )
    upsert_frame(ctx.session, Appeal, rows, key=["appeal_id"])
