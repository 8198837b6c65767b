"""The columns of every staged table (what the GX suites and the loaders rely on).

Each staged table is a polars frame with exactly these columns, written to the landing
store per delivery. Person mentions (anyone a source names) share `MENTION_COLUMNS`:

- `pinfl`: the delivered PINFL with whitespace removed, or null;
- `pinfl_issue`: null when the PINFL is valid and agrees with the record's own birth date
  and sex; else the reason (`hub.identity.PinflIssue` values, or `inconsistent`);
- `name_key`, `surname_key`, `given_key`: the name in the hub's comparison form
  (`hub.identity.normalise_name`); `latin_name` its one Latin display form;
- `birth_on`, `sex`: the record's own values, else those inside a valid PINFL (display);
- `stated_birth_on`, `stated_sex`: the record's own values only, null when it has none:
  linkage compares these (a relative's PINFL must not lend its date and sex to a record).
"""

from __future__ import annotations

from typing import Final

import polars as pl

MENTION_COLUMNS: Final[dict[str, pl.DataType | type[pl.DataType]]] = {
    "pinfl": pl.String,
    "pinfl_issue": pl.String,
    "full_name": pl.String,
    "latin_name": pl.String,
    "name_key": pl.String,
    "surname_key": pl.String,
    "given_key": pl.String,
    "birth_on": pl.Date,
    "sex": pl.String,
    "stated_birth_on": pl.Date,
    "stated_sex": pl.String,
}

COMMON_COLUMNS: Final[dict[str, pl.DataType | type[pl.DataType]]] = {
    "record_key": pl.String,
    "origin": pl.String,
    "delivery_id": pl.Int64,
}

STAGED_SCHEMAS: Final[dict[str, dict[str, pl.DataType | type[pl.DataType]]]] = {
    "registry_mahallas": {
        **COMMON_COLUMNS,
        "region_soato": pl.String,
        "region_name": pl.String,
        "district_soato": pl.String,
        "district_name": pl.String,
        "mahalla_code": pl.String,
        "mahalla_name": pl.String,
        "mahalla_stir": pl.String,
    },
    "registry_assistants": {
        **COMMON_COLUMNS,
        "assistant_id": pl.String,
        "full_name": pl.String,
        "phone": pl.String,
        "mahalla_code": pl.String,
        "appointed_on": pl.Date,
    },
    "survey_households": {
        **COMMON_COLUMNS,
        "survey_id": pl.String,
        "mahalla_code": pl.String,
        "assistant_id": pl.String,
        "surveyed_on": pl.Date,
        "street": pl.String,
        "house": pl.String,
        "apartment": pl.String,
        "category": pl.Int8,
        "monthly_income_uzs": pl.Int64,
        "plot_sotix": pl.Float64,
        "needs": pl.List(pl.String),
        "member_count": pl.Int32,
    },
    "survey_members": {
        **COMMON_COLUMNS,
        **MENTION_COLUMNS,
        "survey_id": pl.String,
        "member_no": pl.Int32,
        "mahalla_code": pl.String,
        "relation": pl.String,
        "occupation": pl.String,
        "notebook": pl.String,
        "surveyed_on": pl.Date,
    },
    "tax": {
        **COMMON_COLUMNS,
        **MENTION_COLUMNS,
        "tin": pl.String,
        "regime": pl.String,
        "activity_code": pl.String,
        "registered_on": pl.Date,
        "closed_on": pl.Date,
        "declared_income_tiyin": pl.Int64,
        "tax_year": pl.Int32,
        "mahalla_code": pl.String,
        "address": pl.String,
        "updated_at": pl.Datetime("us", "UTC"),
    },
    "employment": {
        **COMMON_COLUMNS,
        **MENTION_COLUMNS,
        "record_no": pl.String,
        "mahalla_code": pl.String,
        "status": pl.String,
        "status_on": pl.Date,
        "employer_tin": pl.String,
        "referral": pl.String,
        "source_file": pl.String,
    },
    "land": {
        **COMMON_COLUMNS,
        **MENTION_COLUMNS,
        "lease_id": pl.String,
        "contract_no": pl.String,
        "status": pl.String,
        "cadastre_no": pl.String,
        "mahalla_code": pl.String,
        "area_ha": pl.Float64,
        "purpose": pl.String,
        "crop": pl.String,
        "lessee_kind": pl.String,
        "lessee_tin": pl.String,
        "starts_on": pl.Date,
        "ends_on": pl.Date,
        "snapshot_on": pl.Date,
    },
    "bank": {
        **COMMON_COLUMNS,
        **MENTION_COLUMNS,
        "loan_id": pl.String,
        "bank_mfo": pl.String,
        "kind": pl.String,
        "program": pl.String,
        "passport": pl.String,
        "amount_tiyin": pl.Int64,
        "issued_on": pl.Date,
        "term_months": pl.Int32,
        "status": pl.String,
        "purpose": pl.String,
        "mahalla_code": pl.String,
    },
    "appeals": {
        **COMMON_COLUMNS,
        **MENTION_COLUMNS,
        "appeal_id": pl.String,
        "received_at": pl.Datetime("us", "UTC"),
        "channel": pl.String,
        "mahalla_code": pl.String,
        "phone": pl.String,
        "topic": pl.String,
        "addressed_to": pl.String,
        "status": pl.String,
        "resolved_at": pl.Datetime("us", "UTC"),
    },
}
"""Staged table name -> column -> polars dtype. Sources map to tables in SOURCE_TABLES."""

SOURCE_TABLES: Final[dict[str, tuple[str, ...]]] = {
    "registry": ("registry_mahallas", "registry_assistants"),
    "survey": ("survey_households", "survey_members"),
    "tax": ("tax",),
    "employment": ("employment",),
    "land": ("land",),
    "bank": ("bank",),
    "appeals": ("appeals",),
}


CARRIED_TABLES: Final = frozenset({"survey_members"})
"""Tables whose rows travel inside another table's delivered unit (a household's members):
a repeated household repeats its members, so only the unit is counted as a duplicate."""


def empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=STAGED_SCHEMAS[table])
