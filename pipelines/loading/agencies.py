"""The agencies' facts: tax registrations, employment records, leases, loans, appeals.

Each loader links the table's person mentions (trusted PINFL only: these sources found a
person only when they carry a trusted PINFL), writes the facts keyed by record key, and
records provenance.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import or_, update

from hub.graph.bulk import upsert_rows
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
from pipelines.loading.people import link_and_upsert_persons, upsert_source_records

NOTEBOOK_PROGRAMS = {"iron_notebook": "iron", "women_notebook": "women", "youth_notebook": "youth"}


def _sourced(ctx: LoadContext) -> list[pl.Expr]:
    return [
        pl.lit(ctx.delivery_id).alias("delivery_id"),
        pl.lit(ctx.now).alias("last_confirmed_at"),
    ]


def _link(ctx: LoadContext, staged: pl.DataFrame) -> pl.DataFrame:
    linked = link_and_upsert_persons(ctx, staged, found_persons=False)
    upsert_source_records(ctx, linked, "person")
    return linked


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
    upsert_rows(
        ctx.session,
        TaxRegistration,
        rows.to_dicts(),
        key=["tin"],
        where="tax_registration.source_updated_at <= excluded.source_updated_at",
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
    upsert_rows(
        ctx.session,
        EmploymentRecord,
        rows.to_dicts(),
        key=["record_no"],
        where="employment_record.source_file <= excluded.source_file",
    )


def load_land(ctx: LoadContext, staged: pl.DataFrame, *, newest: bool) -> None:
    """Load a lease snapshot; when it is the newest, leases absent from it stop being current."""
    if staged.is_empty():
        if newest:
            _retire_absent_leases(ctx)
        return
    linked = _link(ctx, staged)
    companies = linked.filter(pl.col("lessee_kind") == "legal_entity").select(
        pl.col("lessee_tin").alias("tin"), pl.col("full_name").alias("name"), *_sourced(ctx)
    )
    business_ids = pl.DataFrame(
        upsert_rows(
            ctx.session,
            Business,
            companies.unique("tin", keep="last").to_dicts(),
            key=["tin"],
            returning=["tin", "id"],
        )
        if not companies.is_empty()
        else [],
        schema={"lessee_tin": pl.String, "business_id": pl.Int64},
        orient="row",
    )
    parcels = linked.select(
        pl.coalesce("cadastre_no", pl.concat_str([pl.lit("lease:"), "lease_id"])).alias("cadastre"),
        "mahalla_code",
        "area_ha",
        "purpose",
        "crop",
    )
    parcel_ids = pl.DataFrame(
        upsert_rows(
            ctx.session, Parcel, parcels.to_dicts(), key=["cadastre"], returning=["cadastre", "id"]
        ),
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
    upsert_rows(
        ctx.session,
        LandLease,
        leases.to_dicts(),
        key=["lease_id"],
        where="land_lease.snapshot_on <= excluded.snapshot_on",
    )
    if newest:
        _retire_absent_leases(ctx)


def _retire_absent_leases(ctx: LoadContext) -> None:
    """Every lease this (newest) snapshot did not write is no longer current."""
    absent = or_(LandLease.delivery_id.is_(None), LandLease.delivery_id != ctx.delivery_id)
    ctx.session.execute(update(LandLease).where(absent).values(is_current=False))


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
    upsert_rows(ctx.session, Loan, rows.to_dicts(), key=["loan_id"])
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
        upsert_rows(
            ctx.session,
            NotebookEntry,
            notebooks.to_dicts(),
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
    upsert_rows(ctx.session, Appeal, rows.to_dicts(), key=["appeal_id"])
